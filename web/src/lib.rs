//! The seccplay playground (Yew, client-side only): a thin shell over seccplay-core.
//!
//! [`state`] is everything a person sets (and its URL form), [`model`] derives what to show
//! from it with the core, [`components`] render it, one per file with narrow props. This file
//! holds only [`App`], which owns the state (`use_reducer`) and wires the components;
//! [`boot`] starts it (both bins' `main`) and hands the page from the first-load build to the
//! full one (the panels marked `#[cfg(feature = "full")]` are in the full build only; new tabs
//! go there too, and `boot::first_cannot_show` hands them over).
pub mod boot;
pub mod components;
#[cfg(feature = "full")]
pub mod lazy;
pub mod model;
pub mod state;
pub mod util;

use components::about::About;
#[cfg(feature = "full")]
use components::audit::AuditProps;
#[cfg(feature = "full")]
use components::compare::{CompareEdit, CompareProps};
use components::context::ContextPanel;
use components::diagnostics::SourceInfo;
use components::editor::Editor;
use components::format::FormatRead;
#[cfg(feature = "full")]
use components::hosts::{HostsEdit, HostsProps};
#[cfg(feature = "full")]
use components::program::ProgramProps;
#[cfg(feature = "full")]
use components::raw::RawProps;
use components::simulate::{SimEdit, SimPanel};
#[cfg(feature = "full")]
use components::step::StepProps;
#[cfg(feature = "full")]
use components::strace::StraceProps;
use components::table::TablePanel;
use components::toolbar::ProfileToolbar;
use gloo::file::callbacks::FileReader;
use model::Source;
use seccplay_core::diag::Severity;
use state::{ContextEdit, Edit, State, Tab};
use std::rc::Rc;
use util::{after_paint, file_text, now_ms, storage, ById, STORAGE_KEY};
use yew::prelude::*;

pub use components::editor::DEBOUNCE_MS;

/// The state the page starts from: the URL fragment, else the last session, else the default.
pub fn initial_state() -> State {
    let hash = gloo::utils::window().location().hash().unwrap_or_default();
    if hash.len() > 1 {
        if let Ok(s) = State::from_fragment(&hash) {
            return s;
        }
    }
    if let Some(f) = storage().and_then(|st| st.get_item(STORAGE_KEY).ok().flatten()) {
        // (Sessions saved by an earlier build hold the fragment as a JSON string: quoted.)
        if let Ok(s) = State::from_fragment(f.trim_matches('"')) {
            return s;
        }
    }
    State::default()
}

/// How long the last analysis and table took, in ms (shown, and read by the e2e benchmark).
type Timing = Rc<std::cell::RefCell<(f64, f64)>>;

/// The editor's text analysed, again when the text, strict mode or the context change. The
/// full build reads Docker's JSON at once and other text once the `formats` chunk is there
/// ([`lazy`]): the text is [`Source::Loading`] until then, and this hook asks for the chunk.
#[cfg(feature = "full")]
#[hook]
fn use_source(
    s: &State,
    ctx: &Result<seccplay_core::context::Context, String>,
    timing: Timing,
) -> Rc<Source> {
    let formats = use_state_eq(|| lazy::reader().map(Ok));
    let src = use_memo(
        (s.text.clone(), s.strict, ctx.clone(), (*formats).clone()),
        move |(t, strict, c, f)| {
            let t0 = now_ms();
            let r = model::analyze_loaded(t, *strict, c, f.clone());
            timing.borrow_mut().0 = now_ms() - t0;
            r
        },
    );
    use_effect_with(matches!(*src, Source::Loading), {
        let formats = formats.setter();
        move |&wanted| {
            if wanted {
                yew::platform::spawn_local(
                    async move { formats.set(Some(lazy::load_reader().await)) },
                )
            }
        }
    });
    src
}

/// The editor's text analysed (the first-load build: Docker's JSON; other text hands the page
/// to the full build).
#[cfg(not(feature = "full"))]
#[hook]
fn use_source(
    s: &State,
    ctx: &Result<seccplay_core::context::Context, String>,
    timing: Timing,
) -> Rc<Source> {
    use_memo(
        (s.text.clone(), s.strict, ctx.clone()),
        move |(t, strict, c)| {
            let t0 = now_ms();
            let r = model::analyze(t, *strict, c);
            timing.borrow_mut().0 = now_ms() - t0;
            r
        },
    )
}

/// A panel of the full build, rendered by its chunk ([`lazy`]).
#[cfg(feature = "full")]
fn lazy_panel(panel: lazy::Panel) -> Html {
    html! { <lazy::LazyPanel panel={Rc::new(panel)} /> }
}

/// The application.
#[function_component(App)]
pub fn app() -> Html {
    let st = use_reducer(initial_state);
    let d = st.dispatcher();
    let s: &State = &st;
    let edit = {
        let d = d.clone();
        move |f: Box<dyn Fn(&mut State)>| d.dispatch(Edit(f.into()))
    };
    let reveal = use_state(|| (0u32, 0u32));
    let reader = use_mut_ref(|| None::<FileReader>);
    // Why the last paste, drop or opened file was not loaded (above model::MAX_TEXT_BYTES).
    let refused = use_state(|| None::<String>);

    let ctx = model::context(s);
    let host = s.host;
    let abi = s.abi;
    // How long the last analysis and table took (shown, and read by the e2e benchmark).
    let timing = use_mut_ref(|| (0.0f64, 0.0f64));
    let src = use_source(s, &ctx, timing.clone());
    let srcid = ById(src.clone());
    let shown = use_memo(
        (srcid.clone(), s.call.clone(), s.ip.clone(), abi),
        |(src, call, ip, abi)| model::simulate(&src.0, call, ip, *abi),
    );
    // The table (500 rows), the call field's completion list (400 options) and the collapsed
    // capability grid and diagnostics wait for the first paint: the verdict is on screen first.
    let painted = use_state_eq(|| false);
    {
        let painted = painted.setter();
        use_effect_with((), move |_| after_paint(move || painted.set(true)));
    }
    let rows = {
        let timing = timing.clone();
        use_memo(
            (srcid.clone(), abi, *painted),
            move |(src, abi, painted)| {
                painted.then(|| {
                    let t0 = now_ms();
                    let r = model::table(&src.0, *abi);
                    timing.borrow_mut().1 = now_ms() - t0;
                    Rc::new(r)
                })
            },
        )
    };
    let (analysis_ms, table_ms) = *timing.borrow();

    // The URL fragment and the last session follow the state (not text too large to analyse:
    // compressing megabytes on every change would stall the page; the link is cleared instead).
    // (After the paint: deflating the profile for the link can wait for the verdict.)
    use_effect_with((*st).clone(), |s| {
        let s = s.clone();
        after_paint(move || {
            let f = if s.text.len() > model::MAX_TEXT_BYTES {
                String::new()
            } else {
                s.to_fragment()
            };
            if let Ok(h) = gloo::utils::window().history() {
                let url = format!("#{f}");
                let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
            }
            if let Some(st) = storage() {
                let _ = st.set_item(STORAGE_KEY, &f);
            }
        })
    });

    let load_file = {
        let edit = edit.clone();
        let reader = reader.clone();
        let refused = refused.clone();
        Callback::from(move |file: web_sys::File| {
            let edit = edit.clone();
            let name = file.name();
            // Not read at all when too large: a textarea holding megabytes stalls the tab.
            let size = file.size() as usize;
            if size > model::MAX_TEXT_BYTES {
                refused.set(Some(format!(
                    "{} It was not loaded.",
                    model::too_large_message(&name, size)
                )));
                return;
            }
            refused.set(None);
            let task = gloo::file::callbacks::read_as_bytes(&file.into(), move |r| {
                if let Ok(bytes) = r {
                    let t = file_text(&bytes);
                    edit(Box::new(move |s| {
                        s.preset.clear();
                        s.set_text(t.clone());
                    }));
                }
            });
            *reader.borrow_mut() = Some(task);
        })
    };
    let on_refuse = {
        let refused = refused.clone();
        Callback::from(move |why: String| refused.set(Some(why)))
    };
    let on_commit = {
        let edit = edit.clone();
        let refused = refused.clone();
        Callback::from(move |t: String| {
            refused.set(None);
            edit(Box::new(move |s| s.set_text(t.clone())))
        })
    };
    // A raw program's decompiled profile, and "Open as a profile" (it replaces the editor's
    // text): the full build only, as raw programs are.
    #[cfg(feature = "full")]
    let raw_panel = {
        let edit = edit.clone();
        let on_open = Callback::from(move |t: String| {
            edit(Box::new(move |s| {
                s.preset.clear();
                s.set_text(t.clone());
            }))
        });
        match &*src {
            Source::Bpf(_) => lazy_panel(lazy::Panel::Raw(RawProps {
                src: srcid.clone(),
                on_open,
            })),
            _ => html! {},
        }
    };
    #[cfg(not(feature = "full"))]
    let raw_panel = html! {};
    let on_preset = {
        let edit = edit.clone();
        Callback::from(move |name: String| edit(Box::new(move |s| s.load_preset(&name))))
    };
    let make_link = {
        let st = st.clone();
        Callback::from(move |()| {
            if st.text.len() > model::MAX_TEXT_BYTES {
                return Err(format!(
                    "(no link: {} — download the file instead)",
                    model::too_large_message("The text", st.text.len())
                ));
            }
            let loc = gloo::utils::window().location();
            Ok(format!(
                "{}{}#{}",
                loc.origin().unwrap_or_default(),
                loc.pathname().unwrap_or_default(),
                st.to_fragment()
            ))
        })
    };
    let on_context = {
        let edit = edit.clone();
        Callback::from(move |m: ContextEdit| edit(Box::new(move |s| s.apply_context(m.clone()))))
    };
    let on_sim = {
        let edit = edit.clone();
        Callback::from(move |m: SimEdit| {
            edit(Box::new(move |s| match &m {
                SimEdit::Abi(a) => s.abi = *a,
                SimEdit::Call(c) => s.call = c.clone(),
                SimEdit::Ip(i) => s.ip = i.clone(),
            }))
        })
    };
    #[cfg(feature = "full")]
    let on_compare = {
        let edit = edit.clone();
        Callback::from(move |m: CompareEdit| {
            edit(Box::new(move |s| match &m {
                CompareEdit::Preset(p) => s.cmp_preset = p.clone(),
                CompareEdit::CapAdd(v) => s.cmp_cap_add = v.clone(),
                CompareEdit::CapDrop(v) => s.cmp_cap_drop = v.clone(),
                CompareEdit::Privileged(v) => s.cmp_privileged = *v,
            }))
        })
    };
    let on_pick = {
        let edit = edit.clone();
        Callback::from(move |name: &'static str| {
            edit(Box::new(move |s| s.call = format!("{name}()")))
        })
    };
    let on_table = {
        let edit = edit.clone();
        Callback::from(move |(filter, v): (bool, String)| {
            edit(Box::new(move |s| {
                if filter {
                    s.table_filter = v.clone()
                } else {
                    s.table_search = v.clone()
                }
            }))
        })
    };
    #[cfg(feature = "full")]
    let on_hosts = {
        let edit = edit.clone();
        Callback::from(move |m: HostsEdit| {
            edit(Box::new(move |s| match &m {
                HostsEdit::Calls(c) => s.mx_calls = c.clone(),
                HostsEdit::Column(name, on) => {
                    s.mx_columns.retain(|c| c != name);
                    if *on {
                        s.mx_columns.push(name.to_string());
                    }
                }
                HostsEdit::DiffA(v) => s.mx_diff_a = v.clone(),
                HostsEdit::DiffB(v) => s.mx_diff_b = v.clone(),
            }))
        })
    };
    #[cfg(feature = "full")]
    let on_audit_text = {
        let edit = edit.clone();
        Callback::from(move |t: String| edit(Box::new(move |s| s.audit_text = t.clone())))
    };
    #[cfg(feature = "full")]
    let on_strace_text = {
        let edit = edit.clone();
        Callback::from(move |t: String| edit(Box::new(move |s| s.strace_text = t.clone())))
    };
    #[cfg(feature = "full")]
    let ctx_id = use_memo(ctx.clone(), |c| c.clone());
    let do_reveal = {
        let reveal = reveal.clone();
        Callback::from(move |line: u32| reveal.set((line, reveal.1 + 1)))
    };

    // The first-load build: hands a state it cannot show to the full build (`boot`), and
    // prefetches that build once the table is on screen.
    let needs_full = boot::needs_full(s);
    // (Read now: the page is still on screen while this render runs.)
    let shown_text = use_mut_ref(|| s.text.clone());
    let place = needs_full.then(|| boot::Place::here(&shown_text.borrow(), &s.text));
    if !cfg!(feature = "full") && *shown_text.borrow() != s.text {
        *shown_text.borrow_mut() = s.text.clone();
    }
    use_effect_with(needs_full, {
        let st = st.clone();
        move |&n| {
            if n {
                boot::load_full(&st, place)
            }
        }
    });
    use_effect_with(rows.is_some(), |&shown| {
        if shown {
            boot::prefetch_when_idle()
        }
    });
    if needs_full {
        return html! {
            <main id="app">
                <header class="top"><h1>{ "seccplay" }</h1></header>
                <p id="loading-status" class="note" role="status">{ boot::LOADING }</p>
            </main>
        };
    }

    // Marks in the editor: errors and warnings at their lines, the deciding rule.
    let mut marks: Vec<(u32, &'static str)> = Vec::new();
    if let Source::Profile(a) = &*src {
        for dg in &a.diagnostics {
            if let Some(l) = &dg.location {
                let c = match dg.severity {
                    Severity::Error => "m-error",
                    Severity::Warning => "m-warning",
                    Severity::Note => continue,
                };
                marks.push((l.line, c));
            }
        }
    }
    if let Source::BpfError { line: Some(l), .. } = &*src {
        marks.push((*l as u32, "m-error"));
    }
    if let Ok(v) = &*shown {
        if let Some(l) = v.line {
            marks.push((l, "m-rule"));
        }
    }
    let first_error: Option<String> = match &*src {
        Source::Profile(a) => a.first_error().map(|e| e.to_string()),
        Source::BpfError { message, line, col } => Some(match (line, col) {
            (Some(l), Some(c)) => format!("{l}:{c}: {message}"),
            _ => message.clone(),
        }),
        Source::TooLarge { bytes } => Some(model::too_large_message("The text", *bytes)),
        _ => None,
    };
    let edited =
        !s.preset.is_empty() && state::preset_text(&s.preset).as_deref() != Some(s.text.as_str());

    // How locations name the profile: as the CLI names a preset, else the editor.
    #[cfg(feature = "full")]
    let origin = if s.preset.is_empty() || edited {
        "the editor".to_string()
    } else {
        format!("preset {}", s.preset)
    };
    let tab = s.tab;
    let set_tab = |t: Tab| {
        let edit = edit.clone();
        Callback::from(move |_| edit(Box::new(move |s| s.tab = t)))
    };
    let skip = Callback::from(move |_| util::focus_id(&format!("tab-{}", tab.id())));

    html! {
        <main id="app">
            <button class="skip" id="skip" onclick={skip}>{ "Skip to the panels" }</button>
            <header class="top">
                <h1>{ "seccplay" }</h1>
                <p class="tagline">{ seccplay_core::TAGLINE }</p>
                <p class="offline" id="offline-note">{ "Runs entirely in your browser: after the page has loaded, nothing is sent anywhere." }</p>
            </header>
            <section class="answer" aria-label="Simulation">
                <SimPanel {abi} call={s.call.clone()} ip={s.ip.clone()} shown={shown.clone()}
                    on_edit={on_sim} on_reveal={do_reveal.clone()} completion={*painted} />
            </section>
            <div class="columns">
                <section class="col left" aria-label="Profile">
                    <ProfileToolbar preset={s.preset.clone()} {edited} text={s.text.clone()}
                        {on_preset} on_file={load_file.clone()} {make_link} />
                    if s.strict {
                        <div class="strict-note" id="strict-note">
                            { "Strict mode (SECCOMP_MODE_STRICT, prctl(PR_SET_SECCOMP, 1)) has no filter: read, write, _exit and sigreturn are allowed, anything else kills the thread with SIGKILL. Choose another preset, or type below to use a profile." }
                        </div>
                    }
                    <Editor text={s.text.clone()} marks={marks} on_commit={on_commit} on_file={load_file} on_refuse={on_refuse} reveal={*reveal} />
                    if let Some(why) = &*refused {
                        <p class="editor-error" id="input-refused" role="alert">{ why }</p>
                    }
                    if let Some(e) = &first_error {
                        <p class="editor-error" id="editor-error" role="alert">{ e }</p>
                    }
                    <FormatRead text={AttrValue::from(s.text.clone())} />
                    <SourceInfo src={srcid.clone()} on_reveal={do_reveal.clone()} {analysis_ms} {table_ms} complete={*painted} />
                    { raw_panel }
                </section>
                <section class="col right" aria-label="Context">
                    <ContextPanel {host} kernel={s.kernel.clone()} runtime={s.runtime}
                        privileged={s.privileged} explicit={s.explicit} enosys={s.enosys}
                        libseccomp={s.libseccomp} installer={model::own_installer(&s.text)} as_is={model::is_program(&s.text)}
                        caps={s.caps.clone()} error={ctx.as_ref().err().cloned()} on_edit={on_context} complete={*painted} />
                </section>
            </div>
            // WAI-ARIA tabs: one tab stop; arrows, Home and End move and activate.
            <nav class="tabs" role="tablist" aria-label="Panels" onkeydown={util::toolbar_keydown}>
                { for Tab::ALL.iter().map(|t| html! {
                    <button role="tab" id={format!("tab-{}", t.id())} data-testid={format!("tab-{}", t.id())}
                        aria-selected={(tab == *t).to_string()} class={classes!((tab == *t).then_some("active"))}
                        tabindex={if tab == *t { "0" } else { "-1" }}
                        aria-controls={(tab == *t).then(|| format!("panel-{}", t.id()))}
                        onclick={set_tab(*t)}>{ t.label() }</button>
                }) }
            </nav>
            <section class="panel" role="tabpanel" id={format!("panel-{}", tab.id())}
                aria-labelledby={format!("tab-{}", tab.id())} tabindex="0">
                { match (tab, (*rows).clone()) {
                    #[cfg(feature = "full")]
                    (Tab::Step, _) => lazy_panel(lazy::Panel::Step(StepProps { src: srcid.clone(), call: s.call.clone(), ip: s.ip.clone(), abi, host })),
                    #[cfg(feature = "full")]
                    (Tab::Program, _) => lazy_panel(lazy::Panel::Program(ProgramProps { src: srcid.clone(), host })),
                    (Tab::Compare | Tab::Table, None) => html! {
                        <p class="note" id="table-wait">{ "Building the table…" }</p>
                    },
                    #[cfg(feature = "full")]
                    (Tab::Compare, Some(rows)) => lazy_panel(lazy::Panel::Compare(CompareProps {
                        rows: ById(rows), abi, text: s.text.clone().into(),
                        preset: s.cmp_preset.clone().into(), cap_add: s.cmp_cap_add.clone().into(),
                        cap_drop: s.cmp_cap_drop.clone().into(), privileged: s.cmp_privileged,
                        b_ctx: model::compare_context(s), on_edit: on_compare,
                    })),
                    #[cfg(feature = "full")]
                    (Tab::Audit, _) => lazy_panel(lazy::Panel::Audit(AuditProps {
                        src: srcid.clone(), text: s.audit_text.clone().into(), on_text: on_audit_text,
                        on_reveal: do_reveal.clone(),
                    })),
                    #[cfg(feature = "full")]
                    (Tab::Strace, _) => lazy_panel(lazy::Panel::Strace(StraceProps {
                        src: srcid.clone(), origin: origin.into(), text: s.strace_text.clone().into(),
                        on_text: on_strace_text, on_reveal: do_reveal.clone(),
                    })),
                    #[cfg(feature = "full")]
                    (Tab::Hosts, _) => lazy_panel(lazy::Panel::Hosts(HostsProps {
                        calls: s.mx_calls.clone().into(), columns: Rc::new(s.mx_columns.clone()),
                        diff_a: s.mx_diff_a.clone().into(), diff_b: s.mx_diff_b.clone().into(),
                        text: s.text.clone().into(), ctx: ById(ctx_id.clone()), on_edit: on_hosts,
                    })),
                    (Tab::About, _) => html! { <About /> },
                    (Tab::Table, Some(rows)) => html! {
                        <TablePanel rows={ById(rows)} {on_pick} filter={s.table_filter.clone()}
                            search={s.table_search.clone()} on_edit={on_table} />
                    },
                    // (The first-load build hands the other tabs to the full build.)
                    #[cfg(not(feature = "full"))]
                    _ => html! {},
                } }
            </section>
            <footer>{ "seccplay — a seccomp playground. The profile, the program and every result are computed in this page (WebAssembly)." }</footer>
        </main>
    }
}
