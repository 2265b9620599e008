//! The mail reports cause: the outcome to the reporter, the decision to
//! the author (never who reported), an appeal to the moderators who may
//! decide it, an appeal's outcome, and the admins' daily digest of overdue
//! reports. All essential: each answers the person's own report or
//! content, or is the moderators' and admins' duty.

use kith_domain::ids::AccountId;
use kith_store::mail::notices::ComposeError;
use kith_store::mail::{Addressee, Audience, MailDraft, Notices};
use kith_store::reports::ReportRecord;

use crate::mail::{Footer, MailKind, compose, mail_templates};
use crate::site_url::SiteUrl;

/// "We looked at your report": to the person who reported.
#[derive(Debug, Clone)]
pub struct ReportOutcome {
    /// The target's kind code (`group`, `person`, …).
    pub kind: &'static str,
    /// The decision's code (`dismiss`, `hide`, …).
    pub action: &'static str,
    /// The moderator's reason.
    pub note: String,
}

mail_templates!(
    ReportOutcome,
    "mail/report_outcome.txt",
    "mail/report_outcome.html"
);

impl MailKind for ReportOutcome {
    const KIND: &'static str = "report_outcome";

    fn subject(&self, _group_names: bool) -> String {
        "kith: about your report".to_owned()
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

/// "A moderator decided about something of yours": to the author, with
/// the reason and the appeal link; never who reported.
#[derive(Debug, Clone)]
pub struct ReportDecided {
    /// The target's kind code.
    pub kind: &'static str,
    /// The decision's code.
    pub action: &'static str,
    /// The moderator's reason.
    pub note: String,
    /// Until when the account is suspended, for a suspension (UTC).
    pub until: Option<String>,
    /// Where to appeal, once.
    pub appeal_url: String,
}

mail_templates!(
    ReportDecided,
    "mail/report_decided.txt",
    "mail/report_decided.html"
);

impl MailKind for ReportDecided {
    const KIND: &'static str = "report_decided";

    fn subject(&self, _group_names: bool) -> String {
        "kith: a moderator's decision".to_owned()
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

/// "Your appeal was decided": to the author.
#[derive(Debug, Clone)]
pub struct AppealDecided {
    /// Whether the first decision was overturned.
    pub overturned: bool,
    /// The second moderator's reason.
    pub note: String,
}

mail_templates!(
    AppealDecided,
    "mail/appeal_decided.txt",
    "mail/appeal_decided.html"
);

impl MailKind for AppealDecided {
    const KIND: &'static str = "appeal_decided";

    fn subject(&self, _group_names: bool) -> String {
        "kith: about your appeal".to_owned()
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

/// "An appeal waits": to the moderators who may decide it. It names the
/// kind of thing alone: neither who reported nor what was said.
#[derive(Debug, Clone)]
pub struct AppealWaiting {
    /// The target's kind code (`group`, `person`, …).
    pub kind: &'static str,
    /// The reports queue.
    pub queue_url: String,
}

mail_templates!(
    AppealWaiting,
    "mail/appeal_waiting.txt",
    "mail/appeal_waiting.html"
);

impl MailKind for AppealWaiting {
    const KIND: &'static str = "appeal_waiting";

    fn subject(&self, _group_names: bool) -> String {
        "kith: an appeal waits".to_owned()
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

/// "Reports wait for more than 48 hours": to the admins, once a day.
#[derive(Debug, Clone)]
pub struct ReportsOverdue {
    /// How many.
    pub count: usize,
    /// The reports queue.
    pub queue_url: String,
}

mail_templates!(
    ReportsOverdue,
    "mail/reports_overdue.txt",
    "mail/reports_overdue.html"
);

impl MailKind for ReportsOverdue {
    const KIND: &'static str = "reports_overdue";

    fn subject(&self, _group_names: bool) -> String {
        "kith: reports are waiting".to_owned()
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

/// A decision's two mails: the outcome to the reporter (a member: a
/// visitor was told they would not hear back), the decision to the
/// author; or, for an appeal, its outcome to the author alone.
pub(crate) struct DecisionNotices<'a> {
    pub(crate) site: &'a SiteUrl,
    pub(crate) note: &'a str,
    /// `Some(overturned)` for an appeal's decision.
    pub(crate) appeal: Option<bool>,
}

impl DecisionNotices<'_> {
    fn draft<K: MailKind>(&self, mail: &K, to: &Addressee) -> Result<MailDraft, ComposeError> {
        compose(self.site, mail, &to.preferences).map_err(|e| Box::new(e) as ComposeError)
    }
}

impl Notices<ReportRecord> for DecisionNotices<'_> {
    fn audience(&self, report: &ReportRecord) -> Audience {
        let mut to: Vec<AccountId> = report.author.into_iter().collect();
        // A visitor's report has no reporter to tell.
        if self.appeal.is_none() {
            to.extend(report.reporter);
        }
        Audience::Accounts(to)
    }

    fn mail_for(
        &self,
        report: &ReportRecord,
        to: &Addressee,
    ) -> Result<Option<MailDraft>, ComposeError> {
        let action = report.decision.map_or("dismiss", |a| a.code());
        let note = self.note.to_owned();
        if let Some(overturned) = self.appeal {
            return Ok(Some(self.draft(&AppealDecided { overturned, note }, to)?));
        }
        // Someone who reports their own… cannot: the two are never the
        // same account, but the author's mail wins if they were.
        if Some(to.account) == report.author {
            let mail = ReportDecided {
                kind: report.kind.code(),
                action,
                note,
                until: report
                    .suspended_until
                    .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string()),
                appeal_url: self.site.link(&format!("/reports/{}/appeal", report.id)),
            };
            return Ok(Some(self.draft(&mail, to)?));
        }
        let mail = ReportOutcome {
            kind: report.kind.code(),
            action,
            note,
        };
        Ok(Some(self.draft(&mail, to)?))
    }
}
