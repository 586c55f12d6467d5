//! `/api/advisories.json`: every public advisory's facts and checklist, for
//! automation; the schema is versioned and documented in docs/api.md.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use super::syndication::url;
use super::{Ctx, urls};
use crate::model::{Advisory, Kind, MeasureSource, Severity, Status, Urgency, Verification};
use crate::site::{CachePolicy, Page};

const JSON: &str = "application/json; charset=utf-8";
/// Version of the `/api/advisories.json` schema (docs/api.md).
pub(crate) const API_VERSION: u32 = 1;

pub(super) fn advisories(ctx: &Ctx<'_>) -> (String, Page) {
    // Ten thousand advisories make 30 MB of JSON, written straight into the page's
    // buffer: serializing each advisory apart (in parallel) held the text twice during
    // a reload, beside the live site.
    let api = Api {
        version: API_VERSION,
        site: ctx.settings.base_url.as_str(),
        license: &ctx.settings.license.url,
        count: ctx.public.len(),
        advisories: ApiAdvisories { ctx },
    };
    let body = serde_json::to_string(&api).unwrap_or_default();
    (urls::API.into(), Page::new(body, JSON, ctx.newest, CachePolicy::Revalidate))
}

/// One advisory as `/api/advisories.json` describes it.
fn advisory<'s>(ctx: &'s Ctx<'_>, a: &'s Advisory) -> ApiAdvisory<'s> {
    let base = &ctx.settings.base_url;
    let catalogue = &ctx.content.catalogue;
    ApiAdvisory {
        id: a.id.as_str(),
        url: url(ctx, a, &ctx.settings.default_language),
        title: a.title.as_str(),
        summary: a.summary.as_str(),
        kind: a.kind,
        severity: a.severity,
        status: a.status,
        verification: a.verification,
        published: a.published,
        updated: a.last_changed(),
        updates: a.updates.iter().map(|u| ApiUpdate { date: u.date, summary: u.summary.as_str() }).collect(),
        data: a
            .data
            .iter()
            .map(|d| ApiClass {
                key: d.as_str(),
                label: catalogue.class(d.as_str()).map_or(d.as_str(), |c| c.label.as_str()),
            })
            .collect(),
        affected: a.affected.as_str(),
        affected_count: a.affected_count,
        occurred: a.occurred.map(|o| o.to_string()),
        discovered: a.discovered.map(|d| d.to_string()),
        tags: a.tags.iter().map(|t| t.as_str()).collect(),
        references: a.references.iter().map(|r| ApiReference { title: r.title.clone(), url: r.url.clone() }).collect(),
        translations: a
            .public_translations()
            .map(|t| (t.lang.as_str(), urls::absolute(base, &urls::advisory(Some(&t.lang), a.id.as_str()))))
            .collect(),
        checklist: a
            .checklist
            .iter()
            .map(|i| {
                let (source, class) = match &i.source {
                    MeasureSource::Advisory => ("advisory", None),
                    MeasureSource::Catalogue { class } => ("catalogue", Some(class.as_str())),
                };
                ApiMeasure { id: &i.id, urgency: i.urgency, text: &i.text, link: i.link.as_deref(), source, class }
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct Api<'a> {
    version: u32,
    site: &'a str,
    license: &'a str,
    count: usize,
    advisories: ApiAdvisories<'a>,
}

/// The advisories of the API, serialized one after the other as they are described.
struct ApiAdvisories<'a> {
    ctx: &'a Ctx<'a>,
}

impl Serialize for ApiAdvisories<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.ctx.public.iter().map(|a| advisory(self.ctx, a)))
    }
}

#[derive(Serialize)]
struct ApiAdvisory<'a> {
    id: &'a str,
    url: String,
    title: &'a str,
    summary: &'a str,
    kind: Kind,
    severity: Severity,
    status: Status,
    verification: Verification,
    published: Timestamp,
    updated: Timestamp,
    updates: Vec<ApiUpdate<'a>>,
    data: Vec<ApiClass<'a>>,
    affected: &'a str,
    affected_count: Option<u64>,
    /// `2025-06-01`, `2025-06-01/2025-06-15` (ISO 8601 interval) or `unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    occurred: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    discovered: Option<String>,
    tags: Vec<&'a str>,
    references: Vec<ApiReference>,
    translations: BTreeMap<&'a str, String>,
    checklist: Vec<ApiMeasure<'a>>,
}

#[derive(Serialize)]
struct ApiUpdate<'a> {
    date: Timestamp,
    summary: &'a str,
}

#[derive(Serialize)]
struct ApiClass<'a> {
    key: &'a str,
    label: &'a str,
}

#[derive(Serialize)]
struct ApiReference {
    title: String,
    url: String,
}

#[derive(Serialize)]
struct ApiMeasure<'a> {
    id: &'a str,
    urgency: Urgency,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<&'a str>,
    source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    class: Option<&'a str>,
}
