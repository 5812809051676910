package web

import (
	"github.com/gofiber/fiber/v2"
)

// devMailboxCSP lets a stored mail's own inline styles show inside the
// mailbox page's sandboxed frame, and nothing else.
const devMailboxCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"

// devMailbox lists the mail the app sent in development mode.
func (h *handler) devMailbox(c *fiber.Ctx) error {
	list, err := h.Mail.Mailbox.List(c.UserContext(), 100)
	if err != nil {
		return err
	}
	data := h.view(c, "Dev mailbox")
	data["Mails"] = list
	return c.Render("mail/mailbox", data)
}

// devMailboxShow shows one mail: headers, text, HTML and attachments.
func (h *handler) devMailboxShow(c *fiber.Ctx) error {
	m, err := h.Mail.Mailbox.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return notFound()
	}
	data := h.view(c, m.Subject)
	data["Mail"] = m
	return c.Render("mail/mailbox_show", data)
}

// devMailboxHTML serves a mail's HTML part for the sandboxed frame.
func (h *handler) devMailboxHTML(c *fiber.Ctx) error {
	m, err := h.Mail.Mailbox.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return notFound()
	}
	c.Set(fiber.HeaderContentSecurityPolicy, devMailboxCSP)
	c.Set(fiber.HeaderXFrameOptions, "SAMEORIGIN")
	c.Type("html", "utf-8")
	return c.SendString(m.HTML)
}

// devMailboxAttachment downloads one attachment (the invite's .ics).
func (h *handler) devMailboxAttachment(c *fiber.Ctx) error {
	m, err := h.Mail.Mailbox.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return notFound()
	}
	i, err := c.ParamsInt("n")
	if err != nil || i < 0 || i >= len(m.Attachments) {
		return notFound()
	}
	a := m.Attachments[i]
	c.Set(fiber.HeaderContentType, a.ContentType)
	c.Attachment(a.Filename)
	return c.Send(a.Content)
}
