// Command stytchfake serves the fake Stytch B2B API (package
// conformance/stytchfake) on a local port, so the bundled Stytch workflows
// can be run by hand. Every SMS passcode and TOTP secret it issues is
// printed to stderr, with the TOTP code that is current at that moment.
//
//	stytchfake --addr 127.0.0.1:8787 --project-id project-test-1 --secret s \
//	    --member member-test-1:ada@example.com
//
// Flags:
//
//	--addr         listen address (default 127.0.0.1:8787)
//	--project-id   basic-auth user name (default project-test-00000000-0000-0000-0000-000000000000)
//	--secret       basic-auth password and JWT key (default secret-test-stytchfake)
//	--openapi      OpenAPI description to validate request bodies with
//	               (default specs/stytch/openapi/stytch-b2b-openapi.yml when it exists)
//	--org          organization ID[:name] (default organization-test-stytchfake:Stytchfake Org)
//	--member       member ID[:email[:phone]], repeatable (default member-test-stytchfake)
//	--otp-code     fixed SMS passcode instead of random ones
//	--totp-secret  fixed base32 TOTP secret instead of random ones
//	--null-as-absent  treat null body members as absent
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/telaio/telaio/conformance/stytchfake"
)

const defaultOpenAPI = "specs/stytch/openapi/stytch-b2b-openapi.yml"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "stytchfake:", err)
		os.Exit(1)
	}
}

// run parses args, serves until ctx is done, and reports the bound address
// to ready (when not nil) once listening.
func run(ctx context.Context, args []string, stderr io.Writer, ready func(addr string)) error {
	fs := flag.NewFlagSet("stytchfake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8787", "listen address")
	project := fs.String("project-id", "project-test-00000000-0000-0000-0000-000000000000", "project ID (basic-auth user name)")
	secret := fs.String("secret", "secret-test-stytchfake", "project secret (basic-auth password)")
	openapi := fs.String("openapi", defaultOpenAPI, "OpenAPI description to validate request bodies with")
	org := fs.String("org", "organization-test-stytchfake:Stytchfake Org", "organization ID[:name]")
	otpCode := fs.String("otp-code", "", "fixed SMS passcode (default: random)")
	totpSecret := fs.String("totp-secret", "", "fixed base32 TOTP secret (default: random)")
	nullAsAbsent := fs.Bool("null-as-absent", false, "treat null body members as absent")
	var members []string
	fs.Func("member", "member ID[:email[:phone]] (repeatable; default member-test-stytchfake)", func(v string) error {
		members = append(members, v)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if len(members) == 0 {
		members = []string{"member-test-stytchfake:member@stytchfake.example"}
	}
	if *totpSecret != "" {
		if _, err := stytchfake.TOTPCode(*totpSecret, time.Now()); err != nil {
			return fmt.Errorf("--totp-secret: %w", err)
		}
	}

	var out sync.Mutex // serializes lines written to stderr
	logf := func(format string, a ...any) {
		out.Lock()
		defer out.Unlock()
		fmt.Fprintf(stderr, format+"\n", a...)
	}

	cfg := stytchfake.Config{
		ProjectID:    *project,
		Secret:       *secret,
		NullAsAbsent: *nullAsAbsent,
		OnOTP: func(e stytchfake.OTPIssued) {
			logf("OTP  member=%s phone=%s code=%s expires=%s", e.MemberID, e.PhoneNumber, e.Code, e.ExpiresAt.Format(time.RFC3339))
		},
		OnTOTP: func(e stytchfake.TOTPIssued) {
			code, _ := stytchfake.TOTPCode(e.Secret, time.Now())
			logf("TOTP member=%s registration=%s secret=%s current-code=%s recovery-codes=%s",
				e.MemberID, e.RegistrationID, e.Secret, code, strings.Join(e.RecoveryCodes, ","))
		},
	}
	if *otpCode != "" {
		code := *otpCode
		cfg.OTPCode = func() string { return code }
	}
	if *totpSecret != "" {
		s := *totpSecret
		cfg.TOTPSecret = func() string { return s }
	}
	spec, err := loadSpec(*openapi, flagSet(fs, "openapi"))
	if err != nil {
		return err
	}
	if spec == nil {
		logf("no OpenAPI description at %s: request bodies get the fake's own field checks only", *openapi)
	}
	cfg.Spec = spec

	fake := stytchfake.New(cfg)
	orgID, orgName, _ := strings.Cut(*org, ":")
	if err := fake.AddOrganization(orgID, orgName); err != nil {
		return err
	}
	for _, m := range members {
		parts := strings.SplitN(m, ":", 3)
		parts = append(parts, "", "")
		if err := fake.AddMember(orgID, parts[0], parts[1], parts[2]); err != nil {
			return err
		}
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: logRequests(fake, logf), ReadHeaderTimeout: 10 * time.Second}
	logf("stytchfake listening on http://%s (project %s, organization %s, members %s)",
		ln.Addr(), *project, orgID, strings.Join(members, " "))
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// loadSpec reads and compiles the OpenAPI description. A missing file is an
// error only when the flag was given.
func loadSpec(path string, explicit bool) (*stytchfake.Spec, error) {
	if path == "" {
		return nil, nil
	}
	src, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !explicit {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return stytchfake.LoadSpec(src)
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

// logRequests logs one line per request: method, path, status.
func logRequests(h http.Handler, logf func(string, ...any)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		logf("%s %s -> %d", r.Method, r.URL.Path, sw.status)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
