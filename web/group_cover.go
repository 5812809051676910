package web

import (
	"errors"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/coverimg"
	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// coverRoutes mounts cover uploads and the covers themselves.
func (h *handler) coverRoutes(app *fiber.App, signedIn fiber.Handler) {
	app.Post("/g/:slug/cover", signedIn, h.groupCoverUpload)
	app.Get("/covers/:gid/:file", h.groupCover)
}

// groupCoverUpload takes a cover image (organizers only): checked,
// scaled and re-encoded by coverimg, stored in Redis, made the group's
// cover. A refused file re-shows the form with the reason.
func (h *handler) groupCoverUpload(c *fiber.Ctx) error {
	gv, err := h.loadGroupAsOrganizer(c)
	if err != nil {
		return err
	}
	refuse := func(msg string) error {
		return h.renderGroupForm(c, &gv, gv.Group.Input(), valid.Errors{"cover_file": msg})
	}
	fh, err := c.FormFile("cover_file")
	if err != nil {
		return refuse("Choose an image file to upload.")
	}
	if fh.Size > coverimg.MaxBytes {
		return refuse("The file is larger than 5 MB. Choose a smaller image.")
	}
	f, err := fh.Open()
	if err != nil {
		return refuse("The file could not be read. Try again.")
	}
	defer func() { _ = f.Close() }()
	data, err := io.ReadAll(io.LimitReader(f, coverimg.MaxBytes+1))
	if err != nil {
		return refuse("The file could not be read. Try again.")
	}
	img, err := coverimg.Process(data)
	if errors.Is(err, coverimg.ErrRefused) {
		msg := strings.TrimPrefix(err.Error(), coverimg.ErrRefused.Error()+": ")
		return refuse(strings.ToUpper(msg[:1]) + msg[1:] + ".")
	}
	if err != nil {
		return err
	}
	if _, err := h.Groups.SaveCover(c.UserContext(), gv.Group.ID, currentUser(c).ID, img.Data, img.ContentType, img.Hash, img.Ext); err != nil {
		if isForbidden(err) {
			return forbidden("Only the group's organizers can change its cover.")
		}
		return err
	}
	return h.redirectWith(c, "/g/"+gv.Group.Slug, "ok", "New cover uploaded.")
}

// groupCover serves an uploaded cover. Its address names its content
// (the hash), so it is cached for a year and never changes; a new upload
// gets a new address.
func (h *handler) groupCover(c *fiber.Ctx) error {
	gid, file := c.Params("gid"), c.Params("file")
	if !ids.Valid(gid) {
		return notFound()
	}
	data, typ, hash, err := h.Groups.Cover(c.UserContext(), gid)
	if errors.Is(err, groups.ErrNotFound) {
		return notFound()
	}
	if err != nil {
		return err
	}
	ext := "jpg"
	if typ == "image/png" {
		ext = "png"
	}
	if file != hash+"."+ext {
		return notFound() // an older upload, replaced since
	}
	etag := `"` + hash + `"`
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	c.Set(fiber.HeaderETag, etag)
	if c.Get(fiber.HeaderIfNoneMatch) == etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, typ)
	c.Set("X-Content-Type-Options", "nosniff")
	return c.Send(data)
}
