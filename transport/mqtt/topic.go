package mqtt

import (
	"fmt"
	"strings"

	"github.com/telaio/telaio/transport"
)

// validFilter checks an MQTT topic filter: not empty, '#' only as the last
// level, '+' and '#' only as whole levels.
func validFilter(f string) error {
	if f == "" {
		return fmt.Errorf("%w: empty topic", transport.ErrBinding)
	}
	levels := strings.Split(f, "/")
	for i, l := range levels {
		if strings.ContainsAny(l, "+#") && len(l) > 1 {
			return fmt.Errorf("%w: topic filter %q: a wildcard must be a whole level", transport.ErrBinding, f)
		}
		if l == "#" && i != len(levels)-1 {
			return fmt.Errorf("%w: topic filter %q: '#' must be the last level", transport.ErrBinding, f)
		}
	}
	return nil
}

// matches reports whether topic matches filter (MQTT 3.1.1 section 4.7,
// MQTT 5 section 4.7): '+' matches one level, '#' the rest, and topics
// starting with '$' are not matched by a leading wildcard.
func matches(filter, topic string) bool {
	if filter == topic {
		return true
	}
	if strings.HasPrefix(topic, "$") && (strings.HasPrefix(filter, "+") || strings.HasPrefix(filter, "#")) {
		return false
	}
	for {
		fl, frest, fmore := strings.Cut(filter, "/")
		tl, trest, tmore := strings.Cut(topic, "/")
		switch {
		case fl == "#":
			return true
		case fl != "+" && fl != tl:
			return false
		}
		if !fmore || !tmore {
			if !fmore && !tmore {
				return true
			}
			// "a/#" matches "a" too
			return !tmore && frest == "#"
		}
		filter, topic = frest, trest
	}
}
