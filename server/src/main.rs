#![recursion_limit = "256"]
use anyhow::Context;
use axum::serve::ListenerExt;
use clap::Parser;
use leptos::config::get_configuration;
use server::cli::{Cli, Command, ProviderCommand};
use server::{Settings, build_router, start_background};
use std::net::SocketAddr;
use std::sync::Arc;
use tracing_subscriber::EnvFilter;

fn main() -> anyhow::Result<()> {
    // `.env` is read while this is still the only thread (see dotenvy_load);
    // the runtime and its workers start after.
    let _ = dotenvy_load();
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Fingerprint { user_id, public_key } => {
            println!("{}", server::cli::fingerprint(user_id, &public_key)?);
            Ok(())
        }
        Command::Provider { command: ProviderCommand::Create { .. } } => {
            eprintln!("{}", server::cli::PROVIDER_CREATE_EXPLAINED);
            std::process::exit(2);
        }
        Command::Serve => serve().await,
    }
}

fn dotenvy_load() -> Option<()> {
    let text = std::fs::read_to_string(".env").ok()?;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        if let Some((k, v)) = line.split_once('=')
            && std::env::var_os(k.trim()).is_none()
        {
            // SAFETY: set_var races with any other thread reading the
            // environment; `main` calls this before it starts the tokio
            // runtime, while the process has one thread.
            #[allow(unsafe_code)]
            unsafe {
                std::env::set_var(k.trim(), v.trim().trim_matches('"'))
            };
        }
    }
    Some(())
}

async fn serve() -> anyhow::Result<()> {
    let json = std::env::var("LOG_FORMAT").is_ok_and(|v| v == "json");
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    if json {
        tracing_subscriber::fmt().with_env_filter(filter).json().init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    let started = std::time::Instant::now();
    let settings = Settings::from_env()?;
    let conf = get_configuration(None)?;
    let leptos_options = conf.leptos_options;
    let addr = leptos_options.site_addr;
    let store = db::open(&settings.database_url).await?;
    tracing::info!(backend = store.backend(), "database ready");
    let services = service::Services::new(
        store,
        service::ServiceSettings {
            base_url: settings.public_url.clone(),
            invite_ttl: settings.invite_ttl,
            outbox_lease: settings.outbox_lease,
            signups: settings.signups.clone(),
            provider_setup: settings.provider_setup.clone(),
            two_factor_key: settings.two_factor_key.clone(),
            ..Default::default()
        },
        Arc::new(service::SystemClock),
    );
    start_background(&services, settings.mailer()?).await?;
    let app = build_router(services, leptos_options, settings.http());
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    if let Some(tls) = &settings.tls {
        // rustls on the ring provider (as the SMTP client uses); a second
        // install (none here) would only be refused.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&tls.cert, &tls.key)
            .await
            .with_context(|| format!("reading TLS_CERT {} and TLS_KEY {}", tls.cert.display(), tls.key.display()))?;
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let handle = axum_server::Handle::new();
        tokio::spawn({
            let handle = handle.clone();
            async move {
                let _ = tokio::signal::ctrl_c().await;
                handle.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
            }
        });
        tracing::info!("listening on https://{addr} (ready in {} ms)", started.elapsed().as_millis());
        // The acceptor sets TCP_NODELAY on every connection (see below).
        axum_server::from_tcp_rustls(listener, config)?.handle(handle).serve(service).await?;
        return Ok(());
    }
    // TCP_NODELAY: a streamed page is written in several pieces; with Nagle's
    // algorithm each page waited for the browser's delayed ACK (a flat 40 ms,
    // BENCHMARKS.md, SSR first load).
    let listener = tokio::net::TcpListener::bind(&addr).await?.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set");
        }
    });
    tracing::info!("listening on http://{addr} (ready in {} ms)", started.elapsed().as_millis());
    axum::serve(listener, service)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
