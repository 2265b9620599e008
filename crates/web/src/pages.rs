//! Pages that several capabilities show: a small form ([`FormPage`], the
//! account flows) and a notice of what happened ([`NoticePage`]: dead
//! links, a sent mail, a deleted account). Each is one askama template, so
//! every flow that uses one looks and reads the same.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::error::{PageError, WebError};
use crate::forms::{FormErrors, FormPairs};
use crate::messages::{Messages, messages};
use crate::session::Nav;

/// One input of a small form.
pub(crate) struct Field {
    name: &'static str,
    id: &'static str,
    label: String,
    value: String,
    kind: &'static str,
    /// Words under the label (a password's rules, say).
    pub(crate) hint: String,
    autocomplete: &'static str,
}

/// An empty input named `name`, with its element id, label, input type
/// and `autocomplete` token.
pub(crate) fn field(
    name: &'static str,
    id: &'static str,
    label: &str,
    kind: &'static str,
    autocomplete: &'static str,
) -> Field {
    Field {
        name,
        id,
        label: label.to_owned(),
        value: String::new(),
        kind,
        hint: String::new(),
        autocomplete,
    }
}

/// A small form: a title, some lines, its fields and a button.
#[derive(Template)]
#[template(path = "account_form.html")]
pub(crate) struct FormPage {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    /// The heading and the document's title.
    pub(crate) title: String,
    /// Paragraphs above the form.
    pub(crate) lead: Vec<String>,
    action: String,
    fields: Vec<Field>,
    /// The button's words.
    pub(crate) submit: String,
    /// Whether the button destroys something (drawn as such).
    pub(crate) danger: bool,
    errors: FormErrors,
    /// Groups (slug, name) that stand in the way, listed above the form.
    pub(crate) groups: Vec<(String, String)>,
    /// A link (href, words) under the form.
    pub(crate) after: Option<(String, String)>,
}

impl FormPage {
    /// A form posting to `action`, worded by `{key}.title`, `{key}.lead`
    /// and `{key}.submit`.
    pub(crate) fn new(nav: Nav, key: &str, action: &str, fields: Vec<Field>) -> Self {
        let m = messages();
        Self {
            m,
            zone_from: "none",
            nav,
            title: m.t(&format!("{key}.title")).to_owned(),
            lead: vec![m.t(&format!("{key}.lead")).to_owned()],
            action: action.to_owned(),
            fields,
            submit: m.t(&format!("{key}.submit")).to_owned(),
            danger: false,
            errors: FormErrors::default(),
            groups: Vec::new(),
            after: None,
        }
    }

    /// Keeps what was typed (never a password) and shows the refusals.
    pub(crate) fn refused(mut self, form: &FormPairs, errors: FormErrors) -> Self {
        for f in &mut self.fields {
            if f.kind != "password" {
                f.value = form.get(f.name).to_owned();
            }
        }
        self.errors = errors;
        self
    }

    /// The page with this status.
    pub(crate) fn respond(self, status: StatusCode) -> Result<Response, PageError> {
        Ok((status, Html(self.render().map_err(WebError::from)?)).into_response())
    }
}

/// A page that says what happened, with an optional link and button.
#[derive(Template)]
#[template(path = "notice.html")]
pub(crate) struct NoticePage {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    title: String,
    text: Vec<String>,
    link: Option<(String, String)>,
    button: Option<(String, String)>,
}

impl NoticePage {
    /// A notice with this title and text.
    pub(crate) fn new(nav: Nav, title: &str, text: &str) -> Self {
        Self {
            m: messages(),
            zone_from: "none",
            nav,
            title: title.to_owned(),
            text: vec![text.to_owned()],
            link: None,
            button: None,
        }
    }

    /// With a link under the text.
    pub(crate) fn link(mut self, href: &str, label: &str) -> Self {
        self.link = Some((href.to_owned(), label.to_owned()));
        self
    }

    /// With a button that posts to `action`.
    pub(crate) fn button(mut self, action: &str, label: &str) -> Self {
        self.button = Some((action.to_owned(), label.to_owned()));
        self
    }

    /// The page with this status.
    pub(crate) fn respond(self, status: StatusCode) -> Result<Response, PageError> {
        Ok((status, Html(self.render().map_err(WebError::from)?)).into_response())
    }
}
