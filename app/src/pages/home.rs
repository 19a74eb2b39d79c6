use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::load_home;
use crate::components::{ErrorNote, SignInButton};

/// `/`: a button per remote; once signed in, who you are and your linked accounts.
#[component]
pub fn Home() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_home());
    view! {
        <Title text="Sign in with …"/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNote message=e.to_string()/> }.into_any(),
                    Ok(data) => {
                        let greeting = match &data.me {
                            None => view! {
                                <h1>"Welcome"</h1>
                                <p>
                                    "This site has no passwords: sign in with an account you already have. "
                                    "Each button runs the three-legged OAuth 1.0a flow of RFC 5849."
                                </p>
                            }.into_any(),
                            Some(me) => {
                                let accounts = me.accounts.clone();
                                view! {
                                    <h1 id="greeting">"Hello, " {me.display_name.clone()}</h1>
                                    <ul class="linked">
                                        {accounts.into_iter().map(|a| {
                                            let href = format!("/profile/{}", a.remote);
                                            view! {
                                                <li>
                                                    <a href=href>{a.brand} ": @" {a.screen_name}</a>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                    <p>"Link another account:"</p>
                                }.into_any()
                            }
                        };
                        view! {
                            <section class="card">
                                {greeting}
                                <div class="buttons">
                                    {data.remotes.into_iter().map(|r| view! {
                                        <SignInButton name=r.name brand=r.brand/>
                                    }).collect_view()}
                                </div>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
