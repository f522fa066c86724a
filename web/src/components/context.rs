//! The context of `docker run`: host, kernel, runtime, libseccomp, `--privileged`, whether the
//! profile is given explicitly, runc's ENOSYS stub, and the capabilities (collapsed to a
//! count). For formats whose filter no container runtime loads (the core's
//! `Format::own_installer`) the Docker/runc controls are disabled, with who loads the filter.
use crate::state::ContextEdit;
use seccplay_core::arch::Arch;
use seccplay_core::context::{Runtime, ALL_CAPS, DOCKER_DEFAULT_CAPS};
use seccplay_core::host::Libseccomp;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Props of [`ContextPanel`].
#[derive(Properties, PartialEq)]
pub struct ContextProps {
    /// The host architecture.
    pub host: Arch,
    /// The kernel version as typed.
    pub kernel: AttrValue,
    /// runc or crun.
    pub runtime: Runtime,
    /// `--privileged`.
    pub privileged: bool,
    /// The profile is given with `--security-opt seccomp=`.
    pub explicit: bool,
    /// runc's ENOSYS stub.
    pub enosys: bool,
    /// The libseccomp whose syscall table the runtime resolves names with.
    #[prop_or_default]
    pub libseccomp: Libseccomp,
    /// Who loads the filter, when no container runtime does (`model::own_installer`): the
    /// Docker/runc controls are disabled with this as the reason.
    #[prop_or_default]
    pub installer: Option<String>,
    /// The text is a raw BPF program: runtime, libseccomp and capabilities are disabled too
    /// (`filter::AS_IS_NOTE`).
    #[prop_or_default]
    pub as_is: bool,
    /// The capabilities ticked.
    pub caps: Vec<String>,
    /// Why the context is invalid (no verdicts then).
    pub error: Option<String>,
    /// An edit of the context.
    pub on_edit: Callback<ContextEdit>,
    /// The collapsed capability grid (41 checkboxes) is in the page: false for the first
    /// frame, which shows the verdict sooner without it (its summary, with the count, is there).
    #[prop_or(true)]
    pub complete: bool,
}

/// The context fieldset.
#[function_component(ContextPanel)]
pub fn context_panel(p: &ContextProps) -> Html {
    let emit = |f: fn(bool) -> ContextEdit| {
        let on = p.on_edit.clone();
        Callback::from(move |e: Event| {
            on.emit(f(e.target_unchecked_into::<HtmlInputElement>().checked()))
        })
    };
    let on_host = {
        let on = p.on_edit.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(a) = Arch::from_docker_host(&v) {
                on.emit(ContextEdit::Host(a));
            }
        })
    };
    let on_kernel = {
        let on = p.on_edit.clone();
        Callback::from(move |e: InputEvent| {
            on.emit(ContextEdit::Kernel(
                e.target_unchecked_into::<HtmlInputElement>().value(),
            ))
        })
    };
    let on_runtime = {
        let on = p.on_edit.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(r) = Runtime::parse(&v) {
                on.emit(ContextEdit::Runtime(r));
            }
        })
    };
    let on_libseccomp = {
        let on = p.on_edit.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(l) = Libseccomp::parse(&v) {
                on.emit(ContextEdit::Libseccomp(l));
            }
        })
    };
    let own = p.installer.is_some();
    // runc's stub only: with crun the box is off and cannot be ticked (resolve models no stub).
    let crun = p.runtime == Runtime::Crun;
    let why = |docker: &str| -> String { p.installer.clone().unwrap_or_else(|| docker.into()) };
    let reset_caps = {
        let on = p.on_edit.clone();
        Callback::from(move |_| on.emit(ContextEdit::DefaultCaps))
    };
    // --privileged as it applies: not to a filter no container runtime loads.
    let privileged = p.privileged && !own;
    let n_caps = if privileged {
        ALL_CAPS.len()
    } else {
        p.caps.len()
    };
    html! {
        <fieldset class="context" id="context">
            <legend id="context-legend">{ if own { "Context (host)" } else { "Context (docker run)" } }</legend>
            <div class="row">
                // (A label and its field wrap together: never a label alone at a line's end.)
                <span class="field"><label for="host-arch">{ "Host" }</label>
                <select id="host-arch" data-testid="host-arch" onchange={on_host}>
                    { for Arch::ALL.iter().filter_map(|a| a.docker_host_name().map(|n| (a, n))).map(|(a, n)| html! {
                        <option value={n} selected={p.host == *a}>{ format!("{n} ({a})") }</option>
                    }) }
                </select></span>
                <span class="field"><label for="kernel">{ "Kernel" }</label>
                <input id="kernel" class="short" value={p.kernel.clone()} oninput={on_kernel}
                    title="X.Y, or what uname -r prints (5.15.0-91-generic)" aria-invalid={p.error.is_some().to_string()} /></span>
                <span class="field"><label for="runtime">{ "Runtime" }</label>
                <select id="runtime" onchange={on_runtime} disabled={p.as_is}>
                    { for [Runtime::Runc, Runtime::Crun].into_iter().map(|r| html! {
                        <option value={r.name()} selected={p.runtime == r}>{ r.name() }</option>
                    }) }
                </select></span>
                <span class="field"><label for="libseccomp">{ "libseccomp" }</label>
                <select id="libseccomp" data-testid="libseccomp" onchange={on_libseccomp} disabled={p.as_is}
                    title={format!("the syscall table names resolve with: {}", p.libseccomp.source())}>
                    { for Libseccomp::ALL.into_iter().map(|l| html! {
                        <option value={l.name()} selected={p.libseccomp == l}>{ l.label() }</option>
                    }) }
                </select></span>
            </div>
            <div class={classes!("row", own.then_some("off"))}>
                <label title={why("all capabilities, and no seccomp for Docker's built-in profile")}>
                    <input type="checkbox" id="privileged" checked={privileged} disabled={own}
                    onchange={emit(ContextEdit::Privileged)} />{ " --privileged" }</label>
                <label title={why("Docker's built-in default profile is dropped by --privileged; a profile given with --security-opt seccomp=FILE is kept")}>
                    <input type="checkbox" id="explicit" checked={p.explicit && !own} disabled={own} onchange={emit(ContextEdit::Explicit)} />
                    { " given with --security-opt seccomp=" }</label>
                <label title={if crun && !own { "crun has no ENOSYS stub: only runc puts one in front of the filter".to_string() } else { why("runc answers ENOSYS for syscall numbers above the profile's largest") }}>
                    <input type="checkbox" id="enosys" checked={p.enosys && !own && !crun} disabled={own || crun} onchange={emit(ContextEdit::Enosys)} />
                    { " ENOSYS stub (runc)" }</label>
            </div>
            if let Some(w) = &p.installer { <p class="note" id="installer-note">{ format!("{w}.") }</p> }
            if let Some(e) = &p.error { <p class="ctx-error" id="context-error" role="alert">{ e }</p> }
            <details class="caps" id="caps">
                <summary id="caps-summary">{ format!("Capabilities: {n_caps} of {}{}", ALL_CAPS.len(), if privileged { " (--privileged)" } else { "" }) }</summary>
                <button class="link" id="caps-reset" onclick={reset_caps}>{ "Docker's default caps" }</button>
                <div class="caplist">
                    { for ALL_CAPS.iter().filter(|_| p.complete).map(|c| {
                        let cap: &'static str = c;
                        let onchange = {
                            let on = p.on_edit.clone();
                            Callback::from(move |e: Event| {
                                let v = e.target_unchecked_into::<HtmlInputElement>().checked();
                                on.emit(ContextEdit::Cap(cap, v))
                            })
                        };
                        let dflt = DOCKER_DEFAULT_CAPS.contains(c);
                        html! {
                            <label class={classes!("cap", dflt.then_some("dflt"))}>
                                <input type="checkbox" id={format!("cap-{c}")} data-testid={format!("cap-{c}")}
                                    checked={privileged || p.caps.iter().any(|x| x == cap)} disabled={privileged || p.as_is} {onchange} />
                                { c.trim_start_matches("CAP_") }
                            </label>
                        }
                    }) }
                </div>
            </details>
        </fieldset>
    }
}
