//! What every check states: its rule, where an RFC says it, how strongly (the RFC's own word),
//! and the area of the provider it is about.

use serde::Serialize;

use crate::trace::Verdict;

/// The RFC's keyword for the rule, which decides the verdict when a provider breaks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Keyword {
    /// MUST / MUST NOT / REQUIRED: breaking it fails.
    Must,
    /// SHOULD / RECOMMENDED, or a choice RFC 9700 advises against: breaking it warns.
    Should,
    /// MAY, or unusual but allowed: shown, never counted against the provider.
    May,
}

impl Keyword {
    pub fn breach(self) -> Verdict {
        match self {
            Keyword::Must => Verdict::Fail,
            Keyword::Should => Verdict::Warn,
            Keyword::May => Verdict::Info,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Keyword::Must => "MUST",
            Keyword::Should => "SHOULD",
            Keyword::May => "MAY",
        }
    }
}

/// The part of a provider a check is about (the report is grouped by it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Area {
    Discovery,
    AuthorizationPage,
    RedirectUri,
    Callback,
    Pkce,
    Code,
    ClientAuth,
    TokenEndpoint,
    Tokens,
    Refresh,
    Resource,
    Revocation,
    OpenId,
    /// oauthviz's own checks as a client (they show what a client must do; they judge no provider).
    Client,
}

impl Area {
    pub const ALL: [Area; 14] = [
        Area::Discovery,
        Area::AuthorizationPage,
        Area::RedirectUri,
        Area::Callback,
        Area::Pkce,
        Area::Code,
        Area::ClientAuth,
        Area::TokenEndpoint,
        Area::Tokens,
        Area::Refresh,
        Area::Resource,
        Area::Revocation,
        Area::OpenId,
        Area::Client,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Area::Discovery => "discovery",
            Area::AuthorizationPage => "authorization-page",
            Area::RedirectUri => "redirect-uri",
            Area::Callback => "callback",
            Area::Pkce => "pkce",
            Area::Code => "code",
            Area::ClientAuth => "client-auth",
            Area::TokenEndpoint => "token-endpoint",
            Area::Tokens => "tokens",
            Area::Refresh => "refresh",
            Area::Resource => "resource",
            Area::Revocation => "revocation",
            Area::OpenId => "openid",
            Area::Client => "client",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Area::Discovery => "Discovery metadata",
            Area::AuthorizationPage => "Authorization pages",
            Area::RedirectUri => "redirect_uri matching",
            Area::Callback => "The redirect back (C)",
            Area::Pkce => "PKCE",
            Area::Code => "Authorization codes",
            Area::ClientAuth => "Client authentication",
            Area::TokenEndpoint => "Token endpoint",
            Area::Tokens => "Tokens",
            Area::Refresh => "Refresh tokens",
            Area::Resource => "Resource server",
            Area::Revocation => "Revocation and introspection",
            Area::OpenId => "OpenID Connect",
            Area::Client => "oauthviz's own client checks",
        }
    }

    pub fn parse(id: &str) -> Option<Area> {
        Area::ALL.into_iter().find(|a| a.id() == id)
    }
}

/// A check's contract, as the report, the README and the GUI show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub area: Area,
    /// What the check does, as a button or a row says it.
    pub title: &'static str,
    /// The rule, in words.
    pub rule: &'static str,
    /// Exact: the RFC and section that state the rule.
    pub rfc: &'static str,
    pub keyword: Keyword,
}

/// A table of checks, one row each — `Variant = "id", Area, KEYWORD, "RFC §", "title", "rule";` —
/// written out as the enum, its `ALL` and `rule()`, so a check's words are in one place.
macro_rules! check_table {
    (pub enum $name:ident {
        $($variant:ident = $id:literal, $area:ident, $keyword:ident, $rfc:literal, $title:literal,
          $rule:literal;)*
    }) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $(#[doc = $title] $variant,)*
        }

        impl $name {
            pub const ALL: [$name; [$($name::$variant),*].len()] = [$($name::$variant,)*];

            pub fn rule(self) -> $crate::workbench::audit::rule::Rule {
                use $crate::workbench::audit::rule::{Area, Keyword, Rule};
                match self {
                    $($name::$variant => Rule {
                        id: $id,
                        area: Area::$area,
                        title: $title,
                        rule: $rule,
                        rfc: $rfc,
                        keyword: Keyword::$keyword,
                    },)*
                }
            }

            /// The check with this id.
            pub fn by_id(id: &str) -> Option<$name> {
                $name::ALL.into_iter().find(|c| c.rule().id == id)
            }
        }

        // Saved runs name a check by its id, which stays when the enum is reordered.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.rule().id)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let id = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::by_id(&id).ok_or_else(|| {
                    serde::de::Error::custom(format!("no check has the id '{id}'"))
                })
            }
        }
    };
}
pub(crate) use check_table;
