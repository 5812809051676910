package web

import (
	"errors"
	"html/template"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/markdown"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// maxProposals is how many proposals the call-for-sessions page lists.
const maxProposals = 100

// proposalRow is one proposal as the page shows it.
type proposalRow struct {
	events.Proposal
	Proposer string
	Details  template.HTML
	Learn    bool
}

// proposalsPage is a group's call for sessions: topics members want to
// learn or would teach, most upvoted first.
func (h *handler) proposalsPage(c *fiber.Ctx) error {
	gv, err := h.loadGroup(c)
	if err != nil {
		return err
	}
	return h.renderProposals(c, gv, events.ProposalInput{Kind: string(events.ProposalLearn)}, nil)
}

func (h *handler) renderProposals(c *fiber.Ctx, gv groupView, form events.ProposalInput, errs valid.Errors) error {
	ctx := c.UserContext()
	list, err := h.Events.Proposals(ctx, gv.Group.ID, maxProposals)
	if err != nil {
		return err
	}
	idList := make([]string, 0, len(list))
	for _, p := range list {
		idList = append(idList, p.ProposerID)
	}
	users, err := h.Users.GetMany(ctx, idList)
	if err != nil {
		return err
	}
	rows := make([]proposalRow, 0, len(list))
	for _, p := range list {
		r := proposalRow{Proposal: p, Details: markdown.HTML(p.Details), Learn: p.Kind == events.ProposalLearn}
		if u, ok := users[p.ProposerID]; ok {
			r.Proposer = u.Name
		}
		rows = append(rows, r)
	}
	data := h.view(c, "Call for sessions: "+gv.Group.Name)
	data["Group"] = gv.Group
	data["Organizer"] = gv.Organizer()
	data["Member"] = gv.Member()
	data["Proposals"] = rows
	data["Form"] = form
	data["Errs"] = formErrors(errs)
	data["SignInURL"] = "/signin?next=" + urlQueryEscape("/g/"+gv.Group.Slug+"/proposals")
	return renderForm(c, "events/proposals", data, len(errs) > 0)
}

func membersOnly(name string) *pageError {
	return forbidden("Only members of " + name + " can propose topics and upvote them. Join the group first.")
}

// proposalCreate adds a topic to the call for sessions (members).
func (h *handler) proposalCreate(c *fiber.Ctx) error {
	gv, err := h.loadGroup(c)
	if err != nil {
		return err
	}
	if !gv.Member() {
		return membersOnly(gv.Group.Name)
	}
	in := events.ProposalInput{Title: c.FormValue("title"), Details: c.FormValue("details"), Kind: c.FormValue("kind")}
	_, err = h.Events.Propose(c.UserContext(), gv.Group.ID, currentUser(c).ID, in)
	var ve valid.Errors
	if errors.As(err, &ve) {
		return h.renderProposals(c, gv, in, ve)
	}
	if err != nil {
		return err
	}
	return h.redirectWith(c, "/g/"+gv.Group.Slug+"/proposals", "ok", "Your topic is proposed. Members can now upvote it.")
}

// proposalUpvote adds the member's one vote to a proposal.
func (h *handler) proposalUpvote(c *fiber.Ctx) error {
	gv, err := h.loadGroup(c)
	if err != nil {
		return err
	}
	if !gv.Member() {
		return membersOnly(gv.Group.Name)
	}
	pid := c.Params("pid")
	if !ids.Valid(pid) {
		return notFound()
	}
	_, added, err := h.Events.Upvote(c.UserContext(), gv.Group.ID, pid, currentUser(c).ID)
	if err != nil {
		return err
	}
	back := "/g/" + gv.Group.Slug + "/proposals"
	if !added {
		return h.redirectWith(c, back, "ok", "You already upvoted that topic; each member has one vote per topic.")
	}
	return h.redirectWith(c, back, "ok", "Thanks for your vote.")
}
