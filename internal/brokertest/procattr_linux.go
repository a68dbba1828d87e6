package brokertest

import "syscall"

// sysProcAttr makes the kernel kill a broker when the test binary dies
// without running its cleanups.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
