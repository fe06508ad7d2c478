//! The admin command line.

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "server", about = "Provider Portal server and admin commands")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the portal (the default).
    Serve,
    /// Print the fingerprint phrase of a user's public key.
    Fingerprint {
        #[arg(long)]
        user_id: uuid::Uuid,
        /// base64 of the SPKI DER public key
        #[arg(long)]
        public_key: String,
    },
    /// Provider administration.
    Provider {
        #[command(subcommand)]
        command: ProviderCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum ProviderCommand {
    /// Explains how a provider is created (its key must be made by a client).
    Create {
        #[arg(long)]
        name: Option<String>,
    },
}

pub fn fingerprint(user_id: uuid::Uuid, public_key: &str) -> anyhow::Result<String> {
    let der = domain::crypto::unb64(public_key.trim()).map_err(|_| anyhow::anyhow!("--public-key is not base64"))?;
    domain::crypto::check_public_key(&der).map_err(|_| anyhow::anyhow!("--public-key is not an RSA-2048 SPKI key"))?;
    Ok(domain::fingerprint::phrase(user_id, &der))
}

pub const PROVIDER_CREATE_EXPLAINED: &str = "\
A provider cannot be created from the command line, by design.

The provider key must be generated in the browser of the provider's first admin
and stored only wrapped to that admin's public key: a key made here would have
passed through the server, which would then be able to read every client
organisation's data. That would break the zero-knowledge promise.

To set up a provider: create an account at the portal, open the Provider Portal
from the product switcher, and choose \"Set up a provider\" (or call the
POST /api/providers/create server function from a client that generates and
seals the key itself).";
