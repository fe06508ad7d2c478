//! The operator's say on who may join: `SIGNUPS` (who may create an account)
//! and `PROVIDER_SETUP` (who may set up a provider, and so send mail from the
//! operator's address to anyone).

/// `SIGNUPS=open|invite-only|domains:<a.com,b.com>`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Signups {
    /// Anyone may create an account (the embedded default).
    #[default]
    Open,
    /// Only an address with a pending invitation.
    InviteOnly,
    /// Addresses at these domains, and any invited address.
    Domains(Vec<String>),
}

impl Signups {
    pub fn parse(s: &str) -> Result<Signups, String> {
        let s = s.trim();
        match s {
            "" | "open" => Ok(Signups::Open),
            "invite-only" => Ok(Signups::InviteOnly),
            _ => match s.strip_prefix("domains:") {
                Some(list) => {
                    let domains: Vec<String> = list.split(',').map(|d| d.trim().trim_start_matches('@').to_lowercase()).filter(|d| !d.is_empty()).collect();
                    if domains.is_empty() || domains.iter().any(|d| !d.contains('.') || d.contains(char::is_whitespace)) {
                        return Err(format!("SIGNUPS: {s:?} needs domains like domains:example.com,example.org"));
                    }
                    Ok(Signups::Domains(domains))
                }
                None => Err(format!("SIGNUPS must be open, invite-only or domains:<list>, not {s:?}")),
            },
        }
    }

    /// Whether `email` (already validated, lower case) may sign up; `invited`
    /// says it holds a pending invitation.
    pub fn allows(&self, email: &str, invited: bool) -> bool {
        match self {
            Signups::Open => true,
            Signups::InviteOnly => invited,
            Signups::Domains(list) => invited || email.rsplit_once('@').is_some_and(|(_, d)| list.iter().any(|x| x == d)),
        }
    }
}

/// `PROVIDER_SETUP=anyone|<email>,<email>…`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ProviderSetup {
    #[default]
    Anyone,
    Only(Vec<String>),
}

impl ProviderSetup {
    pub fn parse(s: &str) -> Result<ProviderSetup, String> {
        let s = s.trim();
        if s.is_empty() || s == "anyone" {
            return Ok(ProviderSetup::Anyone);
        }
        let list = s
            .split(',')
            .map(|e| domain::Email::parse(e.trim()).map(|e| e.to_string()).map_err(|err| format!("PROVIDER_SETUP: {:?}: {err}", e.trim())))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ProviderSetup::Only(list))
    }

    pub fn allows(&self, email: &str) -> bool {
        match self {
            ProviderSetup::Anyone => true,
            ProviderSetup::Only(list) => list.iter().any(|e| e == email),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signups() {
        assert_eq!(Signups::parse("").unwrap(), Signups::Open);
        assert!(Signups::parse("open").unwrap().allows("a@x.com", false));
        let invite_only = Signups::parse("invite-only").unwrap();
        assert!(!invite_only.allows("a@x.com", false));
        assert!(invite_only.allows("a@x.com", true));
        let domains = Signups::parse("domains: acme.com, @Contoso.com").unwrap();
        assert_eq!(domains, Signups::Domains(vec!["acme.com".into(), "contoso.com".into()]));
        assert!(domains.allows("a@acme.com", false));
        assert!(!domains.allows("a@sub.acme.com", false));
        assert!(!domains.allows("a@evil.com", false));
        assert!(domains.allows("a@evil.com", true), "an invited address may always sign up");
        assert!(Signups::parse("closed").is_err());
        assert!(Signups::parse("domains:").is_err());
    }

    #[test]
    fn provider_setup() {
        assert!(ProviderSetup::parse("").unwrap().allows("a@x.com"));
        let only = ProviderSetup::parse("boss@msp.com, Ops@MSP.com").unwrap();
        assert!(only.allows("boss@msp.com") && only.allows("ops@msp.com"));
        assert!(!only.allows("a@x.com"));
        assert!(ProviderSetup::parse("not-an-address").is_err());
    }
}
