use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use leptos_router::{LazyRoute, lazy_route};

use crate::api::{PostStatus, load_profile};
use crate::components::{ErrorNote, SignInButton, set_status};
use crate::model::ProfileData;

/// `/profile/{name}`, loaded when opened: in the browser its code (the posting form's
/// action among it, some 65 KB gzipped) is split out of the main wasm, as the signing
/// pages' is (see `crate::signing`), so the first page (`/`) does not carry it.
pub struct ProfileRoute;

#[lazy_route]
impl LazyRoute for ProfileRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <Profile/> }.into_any()
    }
}

/// `/profile/{name}`: the remote profile (verify_credentials), the home timeline and a
/// form to post a status.
#[component]
pub fn Profile() -> impl IntoView {
    let params = use_params_map();
    let name = move || params.read().get("name").unwrap_or_default();
    let post = ServerAction::<PostStatus>::new();
    // Refetched after each post.
    let data = Resource::new(
        move || (name(), post.version().get()),
        |(n, _)| load_profile(n),
    );
    view! {
        <Title text="Profile"/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => {
                        set_status(404);
                        view! { <ErrorNote message=e.to_string()/> }.into_any()
                    }
                    Ok(ProfileData::NotLinked { remote }) => view! {
                        <section class="card">
                            <h1>{remote.brand.clone()}</h1>
                            <p id="not-linked">"You have no " {remote.brand.clone()} " account linked here yet."</p>
                            <SignInButton name=remote.name brand=remote.brand/>
                        </section>
                    }.into_any(),
                    Ok(ProfileData::Problem { remote, message }) => view! {
                        <section class="card problem" role="alert" id="remote-problem">
                            <h1>{remote.brand.clone()}</h1>
                            <p>{message}</p>
                            <SignInButton name=remote.name brand=remote.brand/>
                        </section>
                    }.into_any(),
                    Ok(ProfileData::Shown { remote, screen_name, name, timeline }) => view! {
                        <section class="card">
                            <h1 id="profile-name">{name} " " <span class="muted">"@" {screen_name} " on " {remote.brand.clone()}</span></h1>
                            <ActionForm action=post attr:class="post">
                                <input type="hidden" name="remote" value=remote.name.clone()/>
                                <label for="status">"What's happening?"</label>
                                <textarea id="status" name="status" maxlength="280" required></textarea>
                                <button type="submit" id="post-status">"Post to " {remote.brand.clone()}</button>
                            </ActionForm>
                        </section>
                        <section class="card">
                            <h2>"Home timeline"</h2>
                            <ul class="timeline" id="timeline">
                                {timeline.into_iter().map(|t| view! {
                                    <li>
                                        <strong>"@" {t.screen_name}</strong>
                                        <span class="muted">" · " {t.created_at}</span>
                                        <p>{t.text}</p>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
        {move || post.value().get().and_then(Result::err).map(|e| view! {
            <p class="problem" role="alert" id="post-error">{e.to_string()}</p>
        })}
    }
}
