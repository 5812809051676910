// Package clustertest runs the stores of every domain package (auth,
// groups, events, mentors, mail and the notify wiring) on a real
// three-master Redis Cluster, to prove the product's promise that it is
// cluster-ready: every Lua script, MULTI and multi-key command stays inside
// one hash slot, and nothing relies on SELECT or on one node seeing every
// key. A CROSSSLOT reply surfaces as a failing test. It holds tests only;
// see docs/cluster.md.
package clustertest
