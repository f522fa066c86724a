//! About: what the page shows, in a few paragraphs.
use yew::prelude::*;

const WHAT: &str = "Docker hands a seccomp profile (JSON) to runc or crun, which asks \
    libseccomp to build a rule database and compile it to a classic BPF program; the kernel \
    runs that program on every syscall of the container. seccplay reimplements that pipeline \
    in Rust, compiled to WebAssembly: it resolves the profile in your context (architecture, \
    capabilities, kernel, runtime), builds the same rule database, compiles it, and runs the \
    program in a tracing interpreter. Nothing is sent anywhere.";

const MODES: &str = "Strict mode (SECCOMP_MODE_STRICT, 1) is the original seccomp: only read, \
    write, _exit and sigreturn; any other syscall kills the thread with SIGKILL. Filter mode \
    (SECCOMP_MODE_FILTER, 2) runs a BPF program that returns an action per syscall: ALLOW, LOG, \
    ERRNO(n) (the call fails with that errno), TRAP (SIGSYS), TRACE, USER_NOTIF, KILL_THREAD or \
    KILL_PROCESS. Docker uses filter mode.";

const DOCKER: &str = "It allows about 370 syscalls and answers the rest with ERRNO(EPERM) \
    (\"Operation not permitted\"). Some syscalls are allowed only with a capability \
    (CAP_SYS_ADMIN allows unshare, mount, clone with namespace flags...), some only for certain \
    arguments (personality, clone's namespace flags, socket families). --privileged runs \
    without seccomp unless a profile is given explicitly; --security-opt seccomp=unconfined \
    disables it.";

const CHECKING: &str = " shows Seccomp: 0 (off), 1 (strict) or 2 (filter), and \
    Seccomp_filters: how many filters are stacked. For another process use /proc/PID/status. \
    The kernel's constant-action cache (Linux 5.11 and later) lets always-allowed syscalls \
    skip the filter.";

const KEYBOARD: &str = "Everything is reachable with Tab; in the step-through view the arrow \
    keys (or j/k), Home and End move along the executed path. Enter in the syscall field \
    scrolls the editor to the deciding rule.";

/// The about tab.
#[function_component(About)]
pub fn about() -> Html {
    html! {
        <div class="about" id="about">
            <h2>{ "What this shows" }</h2>
            <p>{ WHAT }</p>
            <h2>{ "Strict mode and filter mode" }</h2>
            <p>{ MODES }</p>
            <h2>{ "Docker's default profile" }</h2>
            <p>{ DOCKER }</p>
            <h2>{ "Checking a real process" }</h2>
            <p>{ "In a container: " }<code>{ "grep Seccomp /proc/self/status" }</code>{ CHECKING }</p>
            <h2>{ "Keyboard" }</h2>
            <p>{ KEYBOARD }</p>
        </div>
    }
}
