//! Settings → My account: who you are and your fingerprint phrase.

use crate::session::use_session;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MyAccountPage() -> impl IntoView {
    let s = use_session();
    view! {
        <Title text="My account" />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(Some(me)) = s.me.await else { return ().into_any() };
                // When unlocked, the browser recomputes the phrase from its own
                // key pair, so a server that swapped the public key would show.
                let uid = me.user_id.clone();
                let server_phrase = me.fingerprint.clone();
                let local = move || {
                    let pk = s.key_pair_public()?;
                    let id = uuid_parse(&uid)?;
                    Some(domain::fingerprint::phrase(id, &pk))
                };
                let mismatch = {
                    let server_phrase = server_phrase.clone();
                    let local = local.clone();
                    move || local().is_some_and(|l| l != server_phrase)
                };
                view! {
                    <div class="page-head"><div><h1>"My account"</h1></div></div>
                    <section class="card">
                        <h2>"Profile"</h2>
                        <dl class="facts">
                            <dt>"Name"</dt><dd>{me.name.clone()}</dd>
                            <dt>"Email"</dt><dd>{me.email.clone()}</dd>
                            <dt>"Key derivation"</dt>
                            <dd>{format!("Argon2id, {} MiB, {} iterations, {} lanes", me.kdf.memory_kib / 1024, me.kdf.iterations, me.kdf.parallelism)}</dd>
                        </dl>
                    </section>
                    <section class="card" aria-labelledby="fp-title">
                        <h2 id="fp-title">"Fingerprint phrase"</h2>
                        <p class="muted">"A Provider admin compares this phrase before confirming you. It is unique to your account."</p>
                        <p class="fingerprint" data-testid="fingerprint-phrase">{server_phrase.clone()}</p>
                        <Show when=mismatch>
                            <p class="form-error" role="alert">"Warning: this phrase does not match your own key. Do not share secrets until this is resolved."</p>
                        </Show>
                    </section>
                }
                    .into_any()
            })}
        </Transition>
    }
}

fn uuid_parse(s: &str) -> Option<domain::fingerprint::Uuid> {
    domain::fingerprint::Uuid::parse_str(s).ok()
}
