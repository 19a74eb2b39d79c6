//! Form fields bound to signals, for the playground and the debugger. Each renders its
//! value as HTML on the server (so the form works without JavaScript) and, hydrated,
//! follows its signal both ways as the person types or a preset is loaded.

use leptos::prelude::*;

/// A labelled one-line text field; its `name` (posted without JavaScript) is its `id`.
#[component]
pub fn TextField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    /// A few words under the label.
    #[prop(optional)]
    hint: &'static str,
) -> impl IntoView {
    let initial = value.get_untracked();
    let hint_id = format!("{id}-hint");
    let described = (!hint.is_empty()).then(|| hint_id.clone());
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {(!hint.is_empty()).then(|| view! { <span class="hint" id=hint_id>{hint}</span> })}
            <input
                type="text"
                id=id
                name=id
                aria-describedby=described
                autocomplete="off"
                spellcheck="false"
                value=initial
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </div>
    }
}

/// A labelled text area. Its text is its initial value on the server; the browser then
/// follows the signal through the `value` property.
#[component]
pub fn TextArea(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    rows: u32,
    #[prop(optional)] hint: &'static str,
) -> impl IntoView {
    let initial = value.get_untracked();
    let hint_id = format!("{id}-hint");
    let described = (!hint.is_empty()).then(|| hint_id.clone());
    view! {
        <div class="field wide">
            <label for=id>{label}</label>
            {(!hint.is_empty()).then(|| view! { <span class="hint" id=hint_id>{hint}</span> })}
            <textarea
                id=id
                name=id
                rows=rows
                aria-describedby=described
                autocomplete="off"
                spellcheck="false"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            >
                {initial}
            </textarea>
        </div>
    }
}

/// A labelled drop-down of `(value, label)` options.
#[component]
pub fn Choice(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    options: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    let initial = value.get_untracked();
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select
                id=id
                name=id
                prop:value=move || value.get()
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                {options.iter().map(|(v, text)| view! {
                    <option value=*v selected=initial == *v>{*text}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// A labelled check box; posted as `on` when checked, absent otherwise.
#[component]
pub fn Check(id: &'static str, label: &'static str, value: RwSignal<bool>) -> impl IntoView {
    let initial = value.get_untracked();
    view! {
        <div class="field check">
            <input
                type="checkbox"
                id=id
                name=id
                checked=initial
                prop:checked=move || value.get()
                on:change=move |ev| value.set(event_target_checked(&ev))
            />
            <label for=id>{label}</label>
        </div>
    }
}
