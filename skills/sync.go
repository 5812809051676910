package skills

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/mentors"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// Sync keeps the groups' maps in step with people: a member's
// contribution is their own skills joined with their mentoring profiles
// (a mentor's skills to teach, a mentee's skills to learn), applied to
// every group they belong to.
type Sync struct {
	Skills  *Store
	Mentors *mentors.Store
	Groups  *groups.Store
	Logger  *slog.Logger
}

// Effective reads uid's contribution: own skills and path, joined with
// the mentor and mentee profiles, in one round trip.
func (y *Sync) Effective(ctx context.Context, uid string) (Profile, error) {
	p := y.Skills.rdb.Pipeline()
	get := y.QueueEffective(ctx, p, uid)
	if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return Profile{}, fmt.Errorf("skills: read %s: %w", uid, err)
	}
	return get()
}

// QueueEffective queues on p the reads behind Effective; the returned
// function gives the contribution once p has run.
func (y *Sync) QueueEffective(ctx context.Context, p redis.Pipeliner, uid string) func() (Profile, error) {
	own := y.Skills.QueueOwn(ctx, p, uid)
	mentor := y.Mentors.QueueMentorProfiles(ctx, p, []string{uid})
	mentee := y.Mentors.QueueMenteeProfile(ctx, p, uid)
	return func() (Profile, error) { return effective(own, mentor, mentee) }
}

func effective(own func() (Profile, error), mentor func() ([]match.MentorProfile, error), mentee func() (match.MenteeProfile, error)) (Profile, error) {
	out, err := own()
	if err != nil {
		return Profile{}, err
	}
	ms, err := mentor()
	if err != nil {
		return Profile{}, err
	}
	for _, m := range ms {
		if m.Capacity > 0 {
			teach := map[string]int{}
			for _, s := range m.Skills {
				teach[s.Name] = s.Level
			}
			out = out.Merge(Profile{Teach: teach})
		}
	}
	switch e, err := mentee(); {
	case err == nil:
		out = out.Merge(Profile{Learn: e.WantSkills, Path: e.Path})
	case !errors.Is(err, mentors.ErrNotFound):
		return Profile{}, err
	}
	return out, nil
}

// MemberJoined is the groups store's join hook: it reads the new member's
// skills in the join's follow-up round trip and applies them only when
// there are some, so joining costs nothing more for someone without.
func (y *Sync) MemberJoined(ctx context.Context, p redis.Pipeliner, groupID, uid string) func() {
	get := y.QueueEffective(ctx, p, uid)
	return func() {
		prof, err := get()
		if err == nil && !prof.Empty() {
			err = y.Skills.Apply(ctx, groupID, uid, prof)
		}
		if err != nil {
			y.logger().Error("skills: member joined", "group", groupID, "err", err)
		}
	}
}

// MemberChanged is the groups store's hook: uid joined groupID (member)
// or left it. Failures are logged; the next change of the person's skills
// puts the map right.
func (y *Sync) MemberChanged(ctx context.Context, groupID, uid string, member bool) {
	var p Profile
	if member {
		var err error
		if p, err = y.Effective(ctx, uid); err != nil {
			y.logger().Error("skills: member joined", "group", groupID, "err", err)
			return
		}
		if p.Empty() {
			return // nothing to add, and a joining person had no contribution
		}
	}
	if err := y.Skills.Apply(ctx, groupID, uid, p); err != nil {
		y.logger().Error("skills: membership changed", "group", groupID, "err", err)
	}
}

// UserChanged applies uid's skills, as they are now, to all their groups.
func (y *Sync) UserChanged(ctx context.Context, uid string) error {
	p, err := y.Effective(ctx, uid)
	if err != nil {
		return err
	}
	gids, err := y.Groups.GroupIDsOf(ctx, uid)
	if err != nil {
		return err
	}
	for _, gid := range gids {
		if err := y.Skills.Apply(ctx, gid, uid, p); err != nil {
			return err
		}
	}
	return nil
}

func (y *Sync) logger() *slog.Logger {
	if y.Logger != nil {
		return y.Logger
	}
	return slog.Default()
}
