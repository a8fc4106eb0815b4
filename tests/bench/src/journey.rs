//! The requests a person's browser sends, counted in Chromium through the browser tests' whole
//! journey (tests/browser/journey.test.mjs with KENNIN_REQUESTS_OUT: every request that went to
//! the network, its cache's answers left out), per test of the journey: docs/bench/requests.json.
//! The bill prices a person from them.

use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct CountedRequest {
    /// The journey's test it was sent in.
    pub label: String,
    /// `page` (an HTML page), `asset` (a stylesheet or module), `api`, `upload` (to the
    /// documents bucket), `local` (kennin-local's own test pages, not a person's).
    pub kind: String,
    /// `METHOD /path` with IDs as `{id}`; an asset's path alone.
    pub route: String,
    pub count: u32,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct JourneyRequests {
    pub requests: Vec<CountedRequest>,
    /// The tests that are not every person's way (the recovery links, a mistyped address).
    pub detours: Vec<String>,
    /// The tests that each answer one dependent's form, from opening it to its submission.
    pub dependents: Vec<String>,
}

/// Requests of one kind and route, and how many a person sends.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PerPerson {
    pub kind: String,
    pub route: String,
    /// Outside the dependents' forms, as counted.
    pub person: f64,
    /// Within one dependent's form, the mean over the journey's dependents.
    pub per_dependent: f64,
}

impl JourneyRequests {
    /// What a person sends, by kind and route, in the order first counted: the detours and
    /// kennin-local's own pages left out.
    pub fn per_person(&self) -> Vec<PerPerson> {
        let dependents = self.dependents.len().max(1) as f64;
        let mut out: Vec<PerPerson> = Vec::new();
        for request in &self.requests {
            if request.kind == "local" || self.detours.contains(&request.label) {
                continue;
            }
            let at = match out
                .iter()
                .position(|p| p.kind == request.kind && p.route == request.route)
            {
                Some(at) => at,
                None => {
                    out.push(PerPerson {
                        kind: request.kind.clone(),
                        route: request.route.clone(),
                        person: 0.0,
                        per_dependent: 0.0,
                    });
                    out.len() - 1
                }
            };
            let count = f64::from(request.count);
            if self.dependents.contains(&request.label) {
                out[at].per_dependent += count / dependents;
            } else {
                out[at].person += count;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counted(label: &str, kind: &str, route: &str, count: u32) -> CountedRequest {
        CountedRequest {
            label: label.into(),
            kind: kind.into(),
            route: route.into(),
            count,
        }
    }

    #[test]
    fn a_person_is_what_the_journey_sent_outside_the_detours_the_forms_per_dependent() {
        let journey = JourneyRequests {
            requests: vec![
                counted("signup", "page", "GET /portal/signup", 1),
                counted("signup", "local", "GET /_local/mail", 3),
                counted("spouse", "api", "PUT /api/survey/targets/{id}/answers", 6),
                counted("mother", "api", "PUT /api/survey/targets/{id}/answers", 9),
                counted("mother", "page", "GET /portal/home", 1),
                counted("top", "page", "GET /portal/home", 2),
                counted("forgot", "page", "GET /portal/home", 5),
            ],
            detours: vec!["forgot".into()],
            dependents: vec!["spouse".into(), "mother".into()],
        };
        let page = |route: &str, person: f64, per_dependent: f64| PerPerson {
            kind: "page".into(),
            route: route.into(),
            person,
            per_dependent,
        };
        assert_eq!(
            journey.per_person(),
            [
                page("GET /portal/signup", 1.0, 0.0),
                PerPerson {
                    kind: "api".into(),
                    route: "PUT /api/survey/targets/{id}/answers".into(),
                    person: 0.0,
                    per_dependent: 7.5,
                },
                page("GET /portal/home", 2.0, 0.5),
            ]
        );
    }
}
