//! The page an invitation link opens: names the provider, offers Log in and
//! Create account (email prefilled), and accepts for the signed-in account.

use crate::api::{accept_invitation, get_invitation};
use crate::components::urlencode;
use crate::session::use_session;
use domain::api::InvitationState;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

#[component]
pub fn AcceptInvitePage() -> impl IntoView {
    let s = use_session();
    let query = use_query_map();
    let token = move || query.with_untracked(|q| q.get("token")).unwrap_or_default();
    let info = Resource::new(move || query.with(|q| q.get("token")).unwrap_or_default(), get_invitation);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
    view! {
        <Title text="Invitation" />
        <main class="centered auth">
            <div class="auth-brand">
                <span class="logo" aria-hidden="true">
                    "◆"
                </span>
                " Provider Portal"
            </div>
            <section class="card narrow">
                <Transition fallback=|| {
                    view! { <p class="muted">"Loading…"</p> }
                }>
                    {move || {
                        let navigate = navigate.clone();
                        Suspend::new(async move {
                            let info = info.await;
                            let me = s.me.await.ok().flatten();
                            let info = match info {
                                Ok(i) => i,
                                Err(e) => {
                                    return view! {
                                        <h1>"Invitation"</h1>
                                        <p class="form-error">{e.to_string()}</p>
                                    }
                                        .into_any();
                                }
                            };
                            match info.state {
                                InvitationState::Gone => {
                                    view! {
                                        <h1>"This invitation is no longer valid"</h1>
                                        <p>
                                            "It may have been used already, replaced by a newer invitation, or withdrawn. Ask an administrator to send you a new invitation."
                                        </p>
                                    }
                                        .into_any()
                                }
                                InvitationState::Expired => {
                                    view! {
                                        <h1>"This invitation has expired"</h1>
                                        <p>"Invitations expire after " {info.valid_for.clone()} ". Ask an administrator to send you a new invitation."</p>
                                    }
                                        .into_any()
                                }
                                InvitationState::Open => {
                                    let provider = info.provider_name.unwrap_or_default();
                                    let organization = info.organization;
                                    let rules = info.master_password;
                                    let auto_enrol = info.auto_enrol.clone();
                                    let what = if organization { "organisation" } else { "provider" };
                                    let email = info.email.unwrap_or_default();
                                    let here = format!("/accept-invite?token={}", token());
                                    match me {
                                        None => {
                                            view! {
                                                <h1>"Join " {provider.clone()}</h1>
                                                <p>
                                                    "You have been invited to join the " {what} " " <strong>{provider}</strong> " as "
                                                    <strong>{email.clone()}</strong> ". Log in or create an account to accept."
                                                </p>
                                                <div class="actions">
                                                    <A href=format!("/login?next={}&email={}", urlencode(&here), urlencode(&email)) attr:class="btn primary">
                                                        "Log in"
                                                    </A>
                                                    <A href=format!("/register?next={}&email={}", urlencode(&here), urlencode(&email)) attr:class="btn">
                                                        "Create account"
                                                    </A>
                                                </div>
                                            }
                                                .into_any()
                                        }
                                        Some(me) if me.email != email => {
                                            view! {
                                                <h1>"Join " {provider}</h1>
                                                <p class="form-error">
                                                    "This invitation was sent to " {email} ", but you are logged in as " {me.email}
                                                    ". Log out and log in with the invited email."
                                                </p>
                                            }
                                                .into_any()
                                        }
                                        Some(_) => {
                                            let enrol_key = auto_enrol.clone().map(|(public_key, _)| public_key);
                                            let accept = move |_| {
                                                let recovery_key = match &enrol_key {
                                                    None => None,
                                                    Some(public_key) => {
                                                        let Some(keys) = s.keys.get_untracked() else {
                                                            error
                                                                .set(
                                                                    Some(
                                                                        "Your vault is locked: log out, then open the invitation link and log in again to accept."
                                                                            .into(),
                                                                    ),
                                                                );
                                                            return;
                                                        };
                                                        match domain::recovery::enrol(public_key, &keys.user_key) {
                                                            Ok(sealed) => Some(sealed),
                                                            Err(_) => {
                                                                error.set(Some("The organisation's recovery key is not valid: ask an administrator.".into()));
                                                                return;
                                                            }
                                                        }
                                                    }
                                                };
                                                busy.set(true);
                                                let navigate = navigate.clone();
                                                spawn_local(async move {
                                                    let result = accept_invitation(
                                                            token(),
                                                            s.password.get_untracked().filter(|_| rules.is_some()),
                                                            recovery_key,
                                                        )
                                                        .await;
                                                    busy.set(false);
                                                    match result {
                                                        Ok(pid) => {
                                                            s.refresh();
                                                            let to = if organization { "/vault".to_string() } else { format!("/providers/{pid}") };
                                                            navigate(&to, Default::default());
                                                        }
                                                        Err(e) => error.set(Some(e.to_string())),
                                                    }
                                                });
                                            };
                                            // Automatic enrolment: the user key, sealed here to the
                                            // organisation's recovery key, goes with the acceptance.
                                            // Leaving the page is the last thing done.
                                            view! {
                                                <h1>"Join " {provider.clone()}</h1>
                                                <p>
                                                    "Accept the invitation to join " <strong>{provider}</strong>
                                                    {if organization {
                                                        ". An administrator will then confirm you."
                                                    } else {
                                                        ". A Provider admin will then confirm you."
                                                    }}
                                                </p>
                                                {auto_enrol
                                                    .map(|(_, phrase)| {
                                                        view! {
                                                            <div class="notice" role="note">
                                                                <p>
                                                                    "This organisation enrols its members in account recovery: its administrators and its provider will be able to reset your master password. You cannot withdraw while its policy is on."
                                                                </p>
                                                                <p class="small">
                                                                    "Organisation's fingerprint phrase: " <span class="fingerprint inline">{phrase}</span>
                                                                </p>
                                                            </div>
                                                        }
                                                    })}
                                                <p class="form-error" role="alert">
                                                    {move || error.get()}
                                                </p>
                                                <button class="btn primary" on:click=accept disabled=move || busy.get()>
                                                    "Accept invitation"
                                                </button>
                                            }
                                                .into_any()
                                        }
                                    }
                                }
                            }
                        })
                    }}
                </Transition>
            </section>
        </main>
    }
}
