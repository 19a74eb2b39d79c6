use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::load_home;
use crate::components::ErrorNote;

/// `/accounts`: the linked accounts, each with an unlink button, and sign out. Plain forms
/// posting to server routes, so they work with or without JavaScript.
#[component]
pub fn Accounts() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_home());
    view! {
        <Title text="Accounts"/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNote message=e.to_string()/> }.into_any(),
                    Ok(data) => match data.me {
                        None => view! {
                            <section class="card">
                                <h1>"Accounts"</h1>
                                <p id="signed-out">"You are not signed in. " <a href="/">"Sign in"</a></p>
                            </section>
                        }.into_any(),
                        Some(me) => view! {
                            <section class="card">
                                <h1>"Accounts of " {me.display_name}</h1>
                                <ul class="accounts">
                                    {me.accounts.into_iter().map(|a| {
                                        let id = format!("unlink-{}", a.remote);
                                        view! {
                                            <li>
                                                <span>{a.brand} ": @" {a.screen_name}</span>
                                                <form method="post" action="/accounts/unlink">
                                                    <input type="hidden" name="remote" value=a.remote/>
                                                    <button type="submit" class="secondary" id=id>"Unlink"</button>
                                                </form>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                <p class="muted">
                                    "Unlinking revokes this site's token at the service ("
                                    <code>"POST /1.1/oauth/invalidate_token"</code>", or for OAuth 2.0 "
                                    <code>"POST /2/oauth2/revoke"</code>") and forgets it here."
                                </p>
                                <form method="post" action="/logout">
                                    <button type="submit" id="sign-out">"Sign out"</button>
                                </form>
                            </section>
                        }.into_any(),
                    },
                }
            })}
        </Suspense>
    }
}
