package match

import (
	"math/bits"
	"sync"
	"time"
)

const weekQuarters = 7 * 24 * 60 / slotStep // 672

// week is a set of quarter hours of the week in UTC, Sunday 00:00 first.
type week [(weekQuarters + 63) / 64]uint64

func (w *week) set(q int) { w[q/64] |= 1 << (q % 64) }

// overlapMinutes returns how many minutes a week both sets share.
func (w *week) overlapMinutes(o *week) int {
	n := 0
	for i := range w {
		n += bits.OnesCount64(w[i] & o[i])
	}
	return n * slotStep
}

// skillRef is an interned skill and the mentor's level in it.
type skillRef struct {
	id    int32
	level int32
}

// mentorData is a mentor profile in the compact form the scorer reads.
type mentorData struct {
	prof       *MentorProfile
	langs      uint64
	paths      uint32
	preferPath uint32
	years      int
	offset     int // minutes east of UTC
	hasSlots   bool
	week       week
	skills     []skillRef // only skills some mentee wants, sorted by id
}

// menteeData is a mentee profile in the compact form the scorer reads.
type menteeData struct {
	prof     *MenteeProfile
	langs    uint64
	path     uint32
	minYears int
	offset   int
	hasSlots bool
	week     week
	want     []int32 // sorted
}

// preparer turns profiles into their compact forms for one instant, sharing
// the skill dictionary and the zone offsets between them.
type preparer struct {
	at      time.Time
	skills  map[string]int32
	offsets map[string]int
}

func newPreparer(at time.Time) *preparer {
	return &preparer{at: at, skills: map[string]int32{}, offsets: map[string]int{}}
}

var (
	langBits = func() map[string]uint64 {
		m := make(map[string]uint64, len(languages))
		for _, l := range languages {
			m[l.code] = languageBit(l.code)
		}
		return m
	}()
	pathBits = func() map[string]uint32 {
		m := make(map[string]uint32, len(allPaths))
		for _, p := range allPaths {
			m[p.Slug] = pathBit(p.Slug)
		}
		return m
	}()
	zones sync.Map // name -> *time.Location
)

// loadZone loads an IANA zone once per process.
func loadZone(name string) (*time.Location, error) {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, l)
	return l, nil
}

func (p *preparer) offset(zone string) int {
	if o, ok := p.offsets[zone]; ok {
		return o
	}
	o := 0
	if l, err := loadZone(zone); err == nil {
		_, secs := p.at.In(l).Zone()
		o = secs / 60
	}
	p.offsets[zone] = o
	return o
}

func langMask(codes []string) uint64 {
	var m uint64
	for _, c := range codes {
		m |= langBits[c]
	}
	return m
}

// fillWeek sets the UTC quarter hours of slots given in a zone offset.
func fillWeek(w *week, slots []Slot, offset int) {
	for _, s := range slots {
		start := int(s.Day)*24*60 + s.StartMin - offset
		q := ((start%(7*24*60) + 7*24*60) % (7 * 24 * 60)) / slotStep
		for n := (s.EndMin - s.StartMin) / slotStep; n > 0; n-- {
			w.set(q)
			q++
			if q == weekQuarters {
				q = 0
			}
		}
	}
}

// mentee interns the mentee's wanted skills; call it for every mentee before
// any mentor, so mentors keep only skills someone wants.
func (p *preparer) mentee(m *MenteeProfile) menteeData {
	d := menteeData{
		prof: m, langs: langMask(m.Languages), path: pathBits[m.Path],
		minYears: m.MinYears, offset: p.offset(m.TimeZone),
		hasSlots: len(m.Availability.Slots) > 0,
		want:     make([]int32, 0, len(m.WantSkills)),
	}
	fillWeek(&d.week, m.Availability.Slots, d.offset)
	for _, s := range m.WantSkills {
		id, ok := p.skills[s]
		if !ok {
			id = int32(len(p.skills))
			p.skills[s] = id
		}
		d.want = insertSorted(d.want, id)
	}
	return d
}

func (p *preparer) mentor(m *MentorProfile) mentorData {
	d := mentorData{
		prof: m, langs: langMask(m.Languages), preferPath: pathBits[m.PreferPath],
		years: m.Years, offset: p.offset(m.TimeZone),
		hasSlots: len(m.Availability.Slots) > 0,
	}
	for _, path := range m.Paths {
		d.paths |= pathBits[path]
	}
	fillWeek(&d.week, m.Availability.Slots, d.offset)
	for _, s := range m.Skills {
		if id, ok := p.skills[s.Name]; ok {
			if d.skills == nil {
				d.skills = make([]skillRef, 0, len(m.Skills))
			}
			d.skills = insertSortedRef(d.skills, skillRef{id: id, level: int32(s.Level)})
		}
	}
	return d
}

func insertSorted(s []int32, v int32) []int32 {
	i := len(s)
	for i > 0 && s[i-1] > v {
		i--
	}
	if i > 0 && s[i-1] == v {
		return s
	}
	s = append(s, 0)
	copy(s[i+1:], s[i:])
	s[i] = v
	return s
}

func insertSortedRef(s []skillRef, v skillRef) []skillRef {
	i := len(s)
	for i > 0 && s[i-1].id > v.id {
		i--
	}
	if i > 0 && s[i-1].id == v.id {
		s[i-1].level = max(s[i-1].level, v.level)
		return s
	}
	s = append(s, skillRef{})
	copy(s[i+1:], s[i:])
	s[i] = v
	return s
}
