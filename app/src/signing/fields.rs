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

/// The text inside a `<textarea>` as the server writes it. tachys writes a textarea's
/// children unescaped (its `ESCAPE_CHILDREN` is false, as for `<script>`), so posted text
/// holding `</textarea>` would end the element and the rest would be read as markup. A
/// browser decodes character references inside a textarea, so escaped text reads back as
/// the same value; and since tachys hydrates no children of such an element, what the
/// server wrote never has to match anything. The browser build keeps the text as it is:
/// it only ever becomes a text node there, which no parser reads.
fn textarea_text(text: String) -> String {
    #[cfg(feature = "ssr")]
    {
        let mut out = String::with_capacity(text.len() + 1);
        // The HTML parser drops one newline right after `<textarea>`: give it one to drop.
        if text.starts_with(['\n', '\r']) {
            out.push('\n');
        }
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                c => out.push(c),
            }
        }
        out
    }
    #[cfg(not(feature = "ssr"))]
    text
}

/// A labelled text area. Its text is its initial value on the server (escaped:
/// [`textarea_text`]); the browser then follows the signal through the `value` property.
#[component]
pub fn TextArea(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    rows: u32,
    #[prop(optional)] hint: &'static str,
) -> impl IntoView {
    let initial = textarea_text(value.get_untracked());
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

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::textarea_text;

    #[test]
    fn text_written_into_a_textarea_reads_back_as_typed_and_never_as_markup() {
        assert_eq!(
            textarea_text("a</textarea><b>&amp;".into()),
            "a&lt;/textarea&gt;&lt;b&gt;&amp;amp;"
        );
        assert_eq!(textarea_text("\nline".into()), "\n\nline");
        assert_eq!(textarea_text(String::new()), "");
    }
}
