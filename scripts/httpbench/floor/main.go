// Command floor is the yardstick of the HTTP benchmark: a bare Fiber app
// whose one handler does one Redis GET and returns 10 KB of HTML. Every
// page of focusgroups is measured as a share of its requests per second.
package main

import (
	"context"
	"log"
	"os"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"
)

func main() {
	opts, err := redis.ParseURL(os.Getenv("REDIS_URL"))
	if err != nil {
		log.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	if err := rdb.Set(context.Background(), "floor:greeting", "hello", 0).Err(); err != nil {
		log.Fatal(err)
	}
	page := "<!doctype html><html><body>" + strings.Repeat("<p>focusgroups floor page</p>\n", 330) + "</body></html>"
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error {
		v, err := rdb.Get(c.UserContext(), "floor:greeting").Result()
		if err != nil {
			return err
		}
		c.Type("html")
		return c.SendString(page[:len(page)-len("</body></html>")] + "<!-- " + v + " --></body></html>")
	})
	log.Fatal(app.Listen("127.0.0.1:" + os.Getenv("PORT")))
}
