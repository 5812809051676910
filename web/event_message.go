package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// messageAudiences are the choices of whom to write to, in form order.
var messageAudiences = []option{
	{Value: string(events.AudienceGoing), Label: "Everyone going"},
	{Value: string(events.AudienceWaitlist), Label: "Everyone on the waitlist"},
	{Value: string(events.AudienceAnswered), Label: "Everyone who answered (going, waitlist, awaiting approval and not going)"},
}

// audienceWords says whom a logged message went to.
var audienceWords = map[events.Audience]string{
	events.AudienceGoing:    "those going",
	events.AudienceWaitlist: "the waitlist",
	events.AudienceAnswered: "everyone who answered",
}

// noRecipients says why a message found nobody to go to.
var noRecipients = map[events.Audience]string{
	events.AudienceGoing:    "Nobody is going yet, so there is nobody to write to.",
	events.AudienceWaitlist: "Nobody is on the waitlist, so there is nobody to write to.",
	events.AudienceAnswered: "Nobody has answered yet, so there is nobody to write to.",
}

// sentRow is one logged message as the session page shows it.
type sentRow struct {
	By, At, Audience, Subject string
	Recipients                int
}

// sentRows formats a session's message log for a viewer in loc's zone.
func sentRows(log []events.SentMessage, users map[string]*auth.User, c *fiber.Ctx, zone string) []sentRow {
	loc := zoneOr(c, zone)
	rows := make([]sentRow, 0, len(log))
	for _, m := range log {
		by := "An organizer"
		if u, ok := users[m.By]; ok {
			by = u.Name
		}
		rows = append(rows, sentRow{By: by, At: localTime(m.At, loc), Audience: audienceWords[m.Audience], Subject: m.Subject, Recipients: m.Recipients})
	}
	return rows
}

// sessionMessageForm is the page where organizers write to the people
// of a session.
func (h *handler) sessionMessageForm(c *fiber.Ctx) error {
	v, err := h.loadEventAsOrganizer(c)
	if err != nil {
		return err
	}
	return h.renderMessageForm(c, v, events.Message{Audience: events.Audience(c.Query("to", string(events.AudienceGoing)))}, nil, http.StatusOK)
}

// sessionMessageSend sends an organizer's message through the outbox to
// the chosen people of a session, within the hourly limit.
func (h *handler) sessionMessageSend(c *fiber.Ctx) error {
	v, err := h.loadEventAsOrganizer(c)
	if err != nil {
		return err
	}
	m := events.Message{Audience: events.Audience(c.FormValue("audience")), Subject: c.FormValue("subject"), Body: c.FormValue("body")}
	sent, err := h.Events.SendMessage(c.UserContext(), v.actor(), v.Event.ID, m)
	var errs valid.Errors
	var limit *events.MessageLimitError
	switch {
	case errors.As(err, &errs):
		return h.renderMessageForm(c, v, m, errs, http.StatusUnprocessableEntity)
	case errors.Is(err, events.ErrNoRecipients):
		return h.renderMessageForm(c, v, m, valid.Errors{"audience": noRecipients[m.Audience]}, http.StatusUnprocessableEntity)
	case errors.As(err, &limit):
		minutes := int(limit.RetryAfter.Minutes()) + 1
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(limit.RetryAfter.Seconds())+1))
		return httpError(fiber.StatusTooManyRequests, "Too many messages",
			"You can send "+strconv.Itoa(events.MessagesPerHour)+" messages an hour about one session, so nobody's inbox fills up. Your message was not sent: try again in "+plural(minutes, "minute")+".")
	case err != nil:
		return err
	}
	return h.redirectWith(c, sessionPath(v.Event.ID), "ok", "Your message is on its way to "+peopleCount(sent.Recipients)+".")
}

// renderMessageForm shows the message form with its errors.
func (h *handler) renderMessageForm(c *fiber.Ctx, v eventView, m events.Message, errs valid.Errors, status int) error {
	data := h.view(c, "Write to the people of "+v.Event.Title)
	data["Event"] = v.Event
	data["Group"] = v.Group
	data["Msg"] = m
	data["Errs"] = formErrors(errs)
	data["MaxSubject"], data["MaxBody"] = events.MaxMessageSubject, events.MaxMessageBody
	data["PerHour"] = events.MessagesPerHour
	audiences := make([]option, len(messageAudiences))
	for i, a := range messageAudiences {
		a.Checked = a.Value == string(m.Audience)
		audiences[i] = a
	}
	data["Audiences"] = audiences
	return c.Status(status).Render("events/message", data)
}

// peopleCount says how many people: "1 person", "3 people".
func peopleCount(n int) string {
	if n == 1 {
		return "1 person"
	}
	return strconv.Itoa(n) + " people"
}
