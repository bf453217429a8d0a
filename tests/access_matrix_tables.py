"""The access matrix's tables (tests/test_access_matrix.py): the personas, every page and
API operation with the outcome each persona gets, and the bodies the writes send. Data
only; the module doc of the test says how to read a row."""

# worker: staff of PW's sub-unit PW-1 without a role, so PW's own objects are outside its
# subtree; nodept: staff who belong to no department and hold no role.
PERSONAS = (
    "anonymous",
    "officer",
    "liaison",
    "head",
    "other_liaison",
    "executive",
    "worker",
    "nodept",
    "admin",
)

#: HTML pages and files: route, GET codes, POST codes, parameters.
PAGES_TABLE = """
#                                     GET        POST
/                                     LAAAAAAAA  LAAAAAAAA
/healthz                              AAAAAAAAA  MMMMMMMMM
/login/                               AAAAAAAAA  AAAAAAAAA
# signing out (POST only) sends everyone to the sign-in page
/logout/                              MMMMMMMMM  LLLLLLLLL
/account/                             LAAAAAAAA  LAAAAAAAA
/account/password/                    LAAAAAAAA  LAAAAAAAA
/account/two-factor/                  LAAAAAAAA  LAAAAAAAA
/account/tokens/                      LMMMMMMMM  LAAAAAAAA
/account/tokens/<int:pk>/revoke/      LMMMMMMMM  LDADDDDDD  pk=token
/notifications/                       LAAAAAAAA  LAAAAAAAA
# the department tree is published, as GET /api/v1/departments
/departments/                         AAAAAAAAA  AAAAAAAAA
/departments/new/                     LDDDDDDDA  LDDDDDDDA
/departments/<str:code>/edit/         LDDDDDDDA  LDDDDDDDA  code=pw
/staff/                               LAAAAAAAA  LAAAAAAAA
/staff/new/                           LDDADDDDA  LDDADDDDA
/staff/<int:pk>/edit/                 LDDADDDDA  LDDADDDDA  pk=worker
# POST shows the personal data whole: the person, their head, an administrator
/staff/<int:pk>/                      LAAADAADA  LDDADDADA  pk=worker
/roster/import/<str:kind>/            LMMMMMMMM  LDDADDDDA  kind=staff @UPLOAD
/roster/export/<str:kind>.<str:fmt>   LDDADDDDA  LDDADDDDA  kind=staff fmt=csv
/calendar/                            LAAAAAAAA  LDDDDDDDA
/calendar/import/                     LMMMMMMMM  LDDDDDDDA  @UPLOAD
/audit/                               LADDDDDDA  LADDDDDDA
/audit/export.<str:fmt>               LADDDDDDA  LADDDDDDA  fmt=csv
/files/<int:pk>/                      LAAADADDA  LMMMMMMMM  pk=file
/files/<int:pk>/thumbnail/            LAAADADDA  LMMMMMMMM  pk=image
# anonymous visitors are sent to the published scorecards
/scorecard/                           AAAAAAAAA  AAAAAAAAA
/scorecard/report.odt                 LAAAAAAAA  LMMMMMMMM
# publishing asks first (GET: the confirmation page), and only 管考 officers publish
/scorecard/publish/                   LADDDDDDA  LADDDDDDA  ?year=2026
/public/scorecards/                   AAAAAAAAA  AAAAAAAAA
/public/scorecards/<int:pk>/          AAAAAAAAA  AAAAAAAAA  pk=published
# POST creates a plan for the poster's own department (SOC's for other_liaison)
/plans/                               LAAAAAAAA  LAAAADDDA  @PLAN_FORM
/plans/<int:pk>/                      LAAADADDA  LAAADDDDA  pk=plan @GOAL_FORM
/plans/<int:pk>/kpi-table.ods         LAAADADDA  LMMMMMMMM  pk=plan
/plans/<int:pk>/kpi-table.csv         LAAADADDA  LMMMMMMMM  pk=plan
/plans/<int:pk>/kpi-table/import/     LMMMMMMMM  LAAADDDDA  pk=plan @UPLOAD
/plans/goals/<int:goal_id>/kpis/      LMMMMMMMM  LAAADDDDA  goal_id=goal @KPI_FORM
/plans/kpis/<int:pk>/                 LAAADADDA  LDDADDDDA  pk=kpi @APPROVE_VALUE
/plans/my-updates/                    LAAAAAAAA  LAAAAAAAA
/plans/rounds/                        LAAAAAAAA  LADDDDDDA
/plans/rounds/<int:pk>/               LAAAAAAAA  LADDDDDDA  pk=round @ACCEPT
/tracking/                            LAAAAAAAA  LAAAAAAAA
/tracking/behind/                     LAAAAAAAA  LAAAAAAAA
/tracking/map/                        LAAAAAAAA  LAAAAAAAA
/tracking/rules/                      LAAAAAAAA  LADDDDDDA
/tracking/board.ods                   LAAAAAAAA  LMMMMMMMM
/tracking/import/                     LAAAADDDA  LAAAADDDA
/tracking/my/                         LAAAAAAAA  LAAAAAAAA
/tracking/items/                      LAAAAAAAA  LAAAAAAAA
/tracking/items/new/                  LAAAADDDA  LAAAADDDA
/tracking/items/<int:pk>/             LAAADADDA  LAAADADDA  pk=works
/tracking/items/<int:pk>/edit/        LAAADDDDA  LAAADDDDA  pk=works
/tracking/items/<int:pk>/milestones/  LMMMMMMMM  LAAADDDDA  pk=works
/tracking/milestones/<int:pk>/done/   LMMMMMMMM  LAAADDDDA  pk=milestone
/tracking/items/<int:pk>/report/      LDAADDDDD  LDAADDDDD  pk=works
/tracking/reports/<int:pk>/review/    LMMMMMMMM  LDDADDDDA  pk=report @REVIEW
/tracking/items/<int:pk>/release/     LDAADDDDD  LDAADDDDD  pk=works
/tracking/items/<int:pk>/release/decide/  LMMMMMMMM  LADDDDDDA  pk=works @DECIDE
/tracking/items/<int:pk>/baseline/    LMMMMMMMM  LAAADDDDA  pk=works
# the world's baseline is approved, none proposed: the decision page has nothing to decide
/tracking/items/<int:pk>/baseline/decide/  LMMMMMMMM  LDDDDDDDD  pk=works
/tracking/reasons/                    LAAAAAAAA  LADDDDDDA
# control meetings are read by every member of staff (their decisions name departments)
/tracking/meetings/                   LAAAAAAAA  LADDDDDDA
/tracking/meetings/<int:pk>/          LAAAAAAAA  LAAAAAAAA  pk=meeting
/tracking/meetings/<int:pk>/decisions/  LMMMMMMMM  LADDDDDDA  pk=meeting
/tracking/meetings/<int:pk>/close/    LMMMMMMMM  LADDDDDDA  pk=meeting
/tracking/meetings/<int:pk>/agenda/refresh/  LMMMMMMMM  LADDDDDDA  pk=meeting
/tracking/meetings/<int:pk>/agenda.odt  LAAAAAAAA  LMMMMMMMM  pk=meeting
/tracking/meetings/<int:pk>/minutes.odt  LAAAAAAAA  LMMMMMMMM  pk=meeting
/tracking/meetings/<int:pk>/agenda.ods  LAAAAAAAA  LMMMMMMMM  pk=meeting
# petitions: filing by officers, call-takers and liaisons; cases read in scope (the
# executive reads a case that is not confidential); the petitioner whole (POST) and the
# actions only to the case's handlers
/petitions/intake/                    LAADADDDA  LAADADDDA
/petitions/inbox/                     LAAAAAAAA  MMMMMMMMM
/petitions/overview/                  LADDDADDA  MMMMMMMMM
# security: the CISO (here the administrator) sets the agencies' levels; officers and
# executives read them
/security/agencies/                   LADDDADDA  LDDDDDDDA
# seccore: the registers are read by the CISO (the administrator), officers and
# executives; only the CISO (and an agency's security officer, not a persona here) writes;
# the clock's numbers are the administrator's
/security/                            LADDDADDA  LMMMMMMMM
/security/rules/                      LADDDADDA  LDDDDDDDA
/security/incidents/                  LADDDADDA  LMMMMMMMM
/security/incidents/new/              LDDDDDDDA  LDDDDDDDA
/security/incidents/<int:pk>/         LADDDADDA  LDDDDDDDA  pk=security_incident
/security/audits/                     LADDDADDA  LDDDDDDDA
/security/audits/<int:pk>/            LADDDADDA  LDDDDDDDA  pk=security_audit
/security/audits/<int:pk>/edit/       LDDDDDDDA  LDDDDDDDA  pk=security_audit
/security/findings/<int:pk>/          LADDDADDA  LDDDDDDDA  pk=security_finding
/security/outages/                    LADDDADDA  LDDDDDDDA
/security/outages/<int:pk>/           LADDDADDA  LDDDDDDDA  pk=security_outage
/security/services/<int:pk>/          LADDDADDA  LDDDDDDDA  pk=security_service
/security/export/<str:register>.ods   LADDDADDA  LMMMMMMMM  register=incidents
/security/report.odt                  LADDDADDA  LMMMMMMMM
# secops: training is read by those who read all, security staff, and the departments'
# liaisons and heads (their own staff), who record it; 管考 officers and executives read only
/security/training/                   LAAAAADDA  LDAAADDDA
/security/training/import/            LDAAADDDA  LDAAADDDA  @UPLOAD
/security/training/short/             LAAAAADDA  LMMMMMMMM
/security/training/people/<int:pk>/   LAAADADDA  LMMMMMMMM  pk=worker
/security/training/requirements/      LAAAAADDA  LDDDDDDDA
/security/training/records/<int:pk>/delete/  LMMMMMMMM  LDAADDDDA  pk=training_record
/security/training/it-staff/          LMMMMMMMM  LDDDDDDDA
/security/training.ods                LAAAAADDA  LMMMMMMMM
# duties: the city's (an agency) instances are read city-wide, reported by its security
# staff, accepted by the CISO (the administrator here); the CISO opens a year
/security/duties/                     LAAAAADDA  LDDDDDDDA
/security/duties/<int:pk>/            LADDDADDA  LDDDDDDDA  pk=duty_instance
# the duties of each level: read by those who read the duties; changed by the CISO
/security/duties/levels/              LAAAAADDA  LDDDDDDDA
/security/duties/levels/<int:pk>/     LAAAAADDA  LDDDDDDDA  pk=duty_def
/security/duties.ods                  LAAAAADDA  LMMMMMMMM
# SOC points: security staff and those who read all; the agency's security staff register
/security/soc/                        LADDDADDA  LDDDDDDDA
/security/soc/<int:pk>/               LADDDADDA  LDDDDDDDA  pk=soc_point
/security/soc/<int:pk>/token/         LMMMMMMMM  LDDDDDDDA  pk=soc_point
/security/soc.ods                     LADDDADDA  LMMMMMMMM
# the regional ISAC: its pages for those who read the security registers (officers,
# executives, the CISO — here the administrator); members, publishing and upstream servers
# are the CISO's; a sighting is reported by a member or the CISO
/isac/                                LADDDADDA  LMMMMMMMM
/isac/members/                        LADDDADDA  LDDDDDDDA
/isac/members/<int:pk>/               LADDDADDA  LDDDDDDDA  pk=isac_member
/isac/publish/                        LDDDDDDDA  LDDDDDDDA
/isac/objects/<str:stix_id>/          LADDDADDA  LDDDDDDDA  stix_id=isac_object
/isac/upstreams/                      LDDDDDDDA  LDDDDDDDA
/isac/upstreams/<int:pk>/             LDDDDDDDA  LDDDDDDDA  pk=isac_upstream
# trust groups (API roots), their collections and the per-member grants grid: the CISO's
/isac/roots/                          LDDDDDDDA  LDDDDDDDA
/isac/roots/<slug:slug>/              LDDDDDDDA  LDDDDDDDA  slug=chiayi
/isac/collections/<uuid:pk>/          LDDDDDDDA  LDDDDDDDA  pk=isac_collection
# TAXII 2.1 and the blocklist answer a member's Basic credentials, an API token or the
# session of the CISO or a member agency's security officer (401 with a challenge when
# none is sent); staff who are neither are not members (403). Methods are checked first.
/isac/blocklist.txt                   LDDDDDDDA  MMMMMMMMM
/taxii2/                              LDDDDDDDA  MMMMMMMMM
/taxii2/<slug:root>/                  LDDDDDDDA  MMMMMMMMM  root=chiayi
/taxii2/<slug:root>/status/<str:status_id>/  LDDDDDDDA  MMMMMMMMM  root=chiayi status_id=isac_status
/taxii2/<slug:root>/status/<str:status_id>  LDDDDDDDA  MMMMMMMMM  root=chiayi status_id=isac_status
/taxii2/<slug:root>/collections/      LDDDDDDDA  MMMMMMMMM  root=chiayi
/taxii2/<slug:root>/collections/<str:collection_id>/  LDDDDDDDA  MMMMMMMMM  root=chiayi collection_id=isac_collection
# a form body is not a TAXII envelope: the administrator's POST is refused with 415
/taxii2/<slug:root>/collections/<str:collection_id>/objects/  LDDDDDDDA  LDDDDDDDA  root=chiayi collection_id=isac_collection
/taxii2/<slug:root>/collections/<str:collection_id>/objects/<str:object_id>/  LDDDDDDDA  MMMMMMMMM  root=chiayi collection_id=isac_collection object_id=isac_object
/taxii2/<slug:root>/collections/<str:collection_id>/objects/<str:object_id>/versions/  LDDDDDDDA  MMMMMMMMM  root=chiayi collection_id=isac_collection object_id=isac_object
/taxii2/<slug:root>/collections/<str:collection_id>/manifest/  LDDDDDDDA  MMMMMMMMM  root=chiayi collection_id=isac_collection
# smart dispatch measured: those who read the petitions figures
/petitions/dispatch/                  LADDDADDA  MMMMMMMMM
/petitions/cases/<int:pk>/            LAAADADDA  LAAADDDDA  pk=petition
/petitions/cases/<int:pk>/<str:action>/  LAAADDDDA  LAAADDDDA  pk=petition action=reply
/petitions/survey/<str:token>/        DDDDDDDDD  AAAAAAAAA  token=forged
/petitions/map/                       LAAAAAAAA  MMMMMMMMM
# the knowledge base is read by all staff; entries are kept by the department's liaisons
/petitions/knowledge/                 LAAAAAAAA  MMMMMMMMM
/petitions/knowledge/new/             LAADADDDA  LAADADDDA
/petitions/knowledge/<int:pk>/        LAADDDDDA  LAADDDDDA  pk=knowledge
/petitions/categories/                LADDDDDDA  MMMMMMMMM
/petitions/categories/new/            LADDDDDDA  LADDDDDDA
/petitions/categories/<int:pk>/       LADDDDDDA  LADDDDDDA  pk=category
/petitions/rules/                     LADDDDDDA  LADDDDDDA
/petitions/checks/                    LADDDDDDA  LADDDDDDA
/petitions/statistics.ods             LADDDADDA  MMMMMMMMM
# the case summary carries the petitioner: the case's handlers only
/petitions/cases/<int:pk>/summary.odt  LAAADDDDA  MMMMMMMMM  pk=petition
# a case's files: its handlers only (the executive reads the case, not its files: 403;
# another department and staff without a role do not see the case: 404)
/petitions/cases/<int:pk>/files/      LAAADDDDA  LAAADDDDA  pk=petition
# Open311: the officer registers apps and sets each category's questions
/petitions/open311/                   LADDDDDDA  LADDDDDDA  @OPEN311_APP
/petitions/open311/<int:pk>/          LADDDDDDA  LADDDDDDA  pk=open311_app @OPEN311_LIMIT
/petitions/open311/<int:pk>/revoke/   LMMMMMMMM  LADDDDDDA  pk=open311_app
/petitions/categories/<int:pk>/questions/  LADDDDDDA  LADDDDDDA  pk=category @OPEN311_QUESTION
/petitions/questions/<int:pk>/        LADDDDDDA  LADDDDDDA  pk=open311_question @OPEN311_QUESTION
/petitions/questions/<int:pk>/remove/  LMMMMMMMM  LADDDDDDA  pk=open311_question
# Open311 GeoReport v2: anyone reads; filing needs an app's key (none here: 403)
/open311/discovery.<fmt:fmt>          AAAAAAAAA  MMMMMMMMM  fmt=json
/open311/v2/services.<fmt:fmt>        AAAAAAAAA  MMMMMMMMM  fmt=xml
/open311/v2/services/<str:code>.<fmt:fmt>  AAAAAAAAA  MMMMMMMMM  code=pothole fmt=json
/open311/v2/requests.<fmt:fmt>        AAAAAAAAA  DDDDDDDDD  fmt=json
/open311/v2/requests/<str:number>.<fmt:fmt>  AAAAAAAAA  MMMMMMMMM  number=open311_case fmt=xml
/open311/v2/tokens/<str:token>.<fmt:fmt>  AAAAAAAAA  MMMMMMMMM  token=open311_token fmt=json
# the citizens' report pages answer anyone, signed in or not (an empty POST is refused by
# the form, 400); the filed page without a report just filed goes back to the form
/report/                              AAAAAAAAA  AAAAAAAAA
/report/filed/                        AAAAAAAAA  MMMMMMMMM
/report/track/                        AAAAAAAAA  AAAAAAAAA
/report/map/                          AAAAAAAAA  MMMMMMMMM
/i18n/setlang/                        AAAAAAAAA  AAAAAAAAA
/api/openapi.json                     AAAAAAAAA  AAAAAAAAA
/api/docs                             AAAAAAAAA  AAAAAAAAA
/api/                                 DDDDDDDDD  DDDDDDDDD
"""  # noqa: E501 - the TAXII routes are longer than a line

#: API operations: method, path as in the OpenAPI schema, codes, parameters.
OPERATIONS_TABLE = """
GET /api/v1/departments                       AAAAAAAAA
# seccore: incidents, scoped as the pages (a department's staff get 403 on the list,
# 404 on an id)
GET /api/v1/security/incidents                LADDDADDA
GET /api/v1/security/incidents/{pk}           LADDDADDA  pk=security_incident
POST /api/v1/security/incidents               LDDDDDDDA  @SEC_INCIDENT
POST /api/v1/departments                      LDDDDDDDA  @DEPARTMENT
GET /api/v1/departments/{code}                AAAAAAAAA  code=pw
PATCH /api/v1/departments/{code}              LDDDDDDDA  code=pw
GET /api/v1/staff                             LAAAAAAAA
POST /api/v1/staff                            LDDADDDDA  @STAFF
GET /api/v1/staff/{pk}                        LAAADAADA  pk=worker
PATCH /api/v1/staff/{pk}                      LDDADDDDA  pk=worker
POST /api/v1/staff/{pk}/personal-data         LDDADDADA  pk=worker
GET /api/v1/calendar/is-working-day           AAAAAAAAA  ?date=2026-12-26
GET /api/v1/calendar/add-working-days         AAAAAAAAA  ?date=2026-12-01&days=5
GET /api/v1/calendar/working-days-between     AAAAAAAAA  ?start=2026-12-01&end=2026-12-31
GET /api/v1/calendar/overrides                AAAAAAAAA  ?year=2026
PUT /api/v1/calendar/overrides                LDDDDDDDA  @OVERRIDE
DELETE /api/v1/calendar/overrides/{date}      LDDDDDDDA  date=2026-12-26
GET /api/v1/audit                             LADDDDDDA
GET /api/v1/me/tokens                         LAAAAAAAA
POST /api/v1/me/tokens                        LAAAAAAAA  @TOKEN
DELETE /api/v1/me/tokens/{pk}                 LDADDDDDD  pk=token
GET /api/v1/plans                             LAAAAAAAA
POST /api/v1/plans                            LAAADDDDA  @PLAN
GET /api/v1/plans/{pk}                        LAAADADDA  pk=plan
POST /api/v1/plans/{pk}/goals                 LAAADDDDA  pk=plan @GOAL
GET /api/v1/plans/{pk}/kpis                   LAAADADDA  pk=plan
POST /api/v1/goals/{pk}/kpis                  LAAADDDDA  pk=goal @KPI
GET /api/v1/kpis/{pk}                         LAAADADDA  pk=kpi
PATCH /api/v1/kpis/{pk}                       LAAADDDDA  pk=kpi
# the targets of a plan in force are set by the 管考 officer only
PUT /api/v1/kpis/{pk}/targets/{year}          LADDDDDDA  pk=kpi year=2027 @TARGET
GET /api/v1/kpis/{pk}/measurements            LAAADADDA  pk=kpi
POST /api/v1/kpis/{pk}/measurements           LDAADDDDD  pk=kpi @VALUE
POST /api/v1/measurements/{pk}/approve        LDDADDDDA  pk=measurement
POST /api/v1/measurements/{pk}/return         LDDADDDDA  pk=measurement
POST /api/v1/rounds                           LADDDDDDA  @ROUND
GET /api/v1/rounds/{year}/submissions         LAAAAAAAA  year=2027
POST /api/v1/submissions/{pk}/submit          LDAADDDDD  pk=submission
POST /api/v1/submissions/{pk}/accept          LADDDDDDA  pk=submission
POST /api/v1/submissions/{pk}/return          LADDDDDDA  pk=submission
GET /api/v1/scorecard                         AAAAAAAAA  ?year=2026
GET /api/v1/tracking/items                    LAAAAAAAA
POST /api/v1/tracking/items                   LAAADDDDA  @ITEM
GET /api/v1/tracking/items/{pk}               LAAADADDA  pk=works
PATCH /api/v1/tracking/items/{pk}             LAAADDDDA  pk=works @VERSION
POST /api/v1/tracking/items/{pk}/milestones   LAAADDDDA  pk=works @MILESTONE
GET /api/v1/tracking/items/{pk}/baselines     LAAADADDA  pk=works
POST /api/v1/tracking/items/{pk}/baselines    LAAADDDDA  pk=works @BASELINE
# the world's baseline is approved already: the officer's decision is refused (400)
POST /api/v1/tracking/baselines/{pk}/approve  LADDDDDDA  pk=baseline
POST /api/v1/tracking/baselines/{pk}/reject   LADDDDDDA  pk=baseline
POST /api/v1/tracking/milestones/{pk}/done    LAAADDDDA  pk=milestone
GET /api/v1/tracking/items/{pk}/reports       LAAADADDA  pk=works
POST /api/v1/tracking/items/{pk}/reports      LDAADDDDD  pk=works @REPORT
POST /api/v1/tracking/reports/{pk}/approve    LDDADDDDA  pk=report
POST /api/v1/tracking/reports/{pk}/return     LDDADDDDA  pk=report
POST /api/v1/tracking/reports/{pk}/refuse     LADDDDDDA  pk=report
POST /api/v1/tracking/items/{pk}/release      LDAADDDDD  pk=works @RELEASE
POST /api/v1/tracking/items/{pk}/release/approve  LADDDDDDA  pk=works
POST /api/v1/tracking/items/{pk}/release/return   LADDDDDDA  pk=works
GET /api/v1/tracking/meetings                 LAAAAAAAA
POST /api/v1/tracking/meetings                LADDDDDDA  @MEETING
GET /api/v1/tracking/meetings/{pk}            LAAAAAAAA  pk=meeting
POST /api/v1/tracking/meetings/{pk}/decisions  LADDDDDDA  pk=meeting @DECISION
POST /api/v1/tracking/meetings/{pk}/close     LADDDDDDA  pk=meeting @MINUTES
GET /api/v1/tracking/board                    LAAAAAAAA
GET /api/v1/tracking/behind                   LAAAAAAAA
GET /api/v1/tracking/rules                    LAAAAAAAA
PUT /api/v1/tracking/rules                    LADDDDDDA  @RULES
GET /api/v1/tracking/items.geojson            AAAAAAAAA
GET /api/v1/petitions/cases                   LAAAAAAAA
POST /api/v1/petitions/cases                  LAADADDDA  @CASE
GET /api/v1/petitions/cases/{pk}              LAAADADDA  pk=case
POST /api/v1/petitions/cases/{pk}/assign      LADDDDDDA  pk=case @ASSIGN
POST /api/v1/petitions/cases/{pk}/reroute     LDAADDDDD  pk=case @REROUTE
POST /api/v1/petitions/cases/{pk}/extend      LDAADDDDD  pk=case @EXTEND
POST /api/v1/petitions/requests/{pk}/decide   LADDDDDDA  pk=petition_request @DECIDE_REQUEST
POST /api/v1/petitions/cases/{pk}/reply       LAAADDDDA  pk=case @REPLY
POST /api/v1/petitions/replies/{pk}/approve   LDDADDDDA  pk=petition_reply
POST /api/v1/petitions/replies/{pk}/return    LDDADDDDA  pk=petition_reply @RETURN
POST /api/v1/petitions/cases/{pk}/field-done  LAAADDDDA  pk=case
POST /api/v1/petitions/cases/{pk}/not-processed  LADDDDDDA  pk=case @RULE173
POST /api/v1/petitions/cases/{pk}/merge       LADDDDDDA  pk=case @MERGE
POST /api/v1/petitions/cases/{pk}/reopen      LADDDDDDA  pk=case @REOPEN
# a case's files, as on the pages: its handlers only (an empty upload is refused, 400)
GET /api/v1/petitions/cases/{pk}/files        LAAADDDDA  pk=case
POST /api/v1/petitions/cases/{pk}/files       LAAADDDDA  pk=case
GET /api/v1/petitions/categories              LAAAAAAAA
POST /api/v1/petitions/categories             LADDDDDDA  @CATEGORY
PATCH /api/v1/petitions/categories/{code}     LADDDDDDA  code=mx-pothole
GET /api/v1/petitions/statistics              LAAAAAAAA  ?year=2026
POST /api/v1/petitions/import                 LADDDDDDA
# smart dispatch: suggestions for those who file or assign cases; its measures for those
# who read the petitions figures
POST /api/v1/petitions/suggest                LAADADDDA  @SUGGEST
GET /api/v1/petitions/dispatch/measures       LADDDADDA
# secops: training records and SOC points; the heartbeat takes only a point's token
GET /api/v1/security/training                 LAAAAADDA
POST /api/v1/security/training                LDAAADDDA  @TRAINING
POST /api/v1/security/soc/heartbeat           LLLLLLLLL
GET /api/v1/security/soc/points               LADDDADDA
"""

#: Request bodies: forms for pages ("{name}" is a fixture object, (name, bytes) a file),
#: JSON for the API. A write without one sends an empty form or `{}`.
BODIES = {
    "SEC_INCIDENT": {
        "agency": "CYC",
        "title": "網站遭置換",
        "occurred_at": "2026-11-30T08:00:00+08:00",
        "aware_at": "2026-11-30T09:00:00+08:00",
        "system": "全球資訊網",
        "info_kind": "noncore",
        "description": "首頁遭置換",
    },
    "SUGGEST": {"text": "中山路有坑洞"},
    "UPLOAD": {"file": ("table.csv", b"a,b\n1,2\n")},  # refused by the importer, after access
    "PLAN_FORM": {"kind": "midterm", "title": "新計畫", "first_year": 2026, "last_year": 2027},
    "GOAL_FORM": {"goal-number": "二", "goal-title": "新目標"},
    "KPI_FORM": {
        "kpi-name": "新指標",
        "kpi-measure": "件數",
        "kpi-direction": "higher",
        "kpi-accumulation": "sum",
        "kpi-frequency": "yearly",
        "kpi-path": "flat",
    },
    "APPROVE_VALUE": {"measurement": "{measurement}", "action": "approve"},
    "ACCEPT": {"action": "accept", "submission": "{submission}"},
    "REVIEW": {"action": "return", "note": "請補正"},
    "DECIDE": {"release-action": "return", "release-note": "請補件"},
    "DEPARTMENT": {"code": "NEW", "name": "新處", "kind": "office"},
    "STAFF": {"username": "newbie", "name": "新人", "department": "PW"},
    "OVERRIDE": {"date": "2026-12-27", "is_working_day": True, "reason": "補班"},
    "TOKEN": {"name": "cli"},
    "PLAN": {
        "department": "PW",
        "kind": "midterm",
        "title": "新計畫",
        "first_year": 2026,
        "last_year": 2027,
    },
    "GOAL": {"number": "二", "title": "新目標"},
    "KPI": {"name": "新指標", "measure": "件數"},
    "TARGET": {"text": "≧85%"},
    "VALUE": {"year": 2026, "period": 11},
    "ROUND": {"year": 2028, "deadline": "2028-01-31", "departments": ["PW"]},
    "ITEM": {"kind": "works", "number": "W-115-002", "title": "新工程", "lead": "PW"},
    "VERSION": {"version": "stale"},
    "MILESTONE": {"title": "完工", "due": "2026-12-31"},
    "BASELINE": {"method": "curve", "reason": "設計變更，修正計畫"},
    "REPORT": {"year": 2026, "month": 11},
    "RELEASE": {"result": "完工"},
    "MEETING": {"year": 2026, "month": 12, "held_on": "2026-12-20"},
    "DECISION": {"text": "限期改善", "department": "PW", "due": "2026-12-31"},
    "MINUTES": {"minutes": "散會"},
    "CASE": {
        "kind": "petition",
        "channel": "phone",
        "subject": "路面坑洞",
        "text": "中山路有坑洞",
        "category": "mx-pothole",
    },
    "ASSIGN": {"lead": "PW"},
    "REROUTE": {"reason": "非本處業務"},
    "EXTEND": {"reason": "需會勘", "new_due": "2026-01-02"},
    "DECIDE_REQUEST": {"approve": False, "note": "請本處處理"},
    "REPLY": {"text": "已處理", "method": "phone"},
    "RETURN": {"reason": "請補充"},
    "RULE173": {"rule": "repeat", "note": "同一事由"},
    "MERGE": {"into": "0000000-0000"},
    "REOPEN": {"reason": "不滿意", "due": "2099-01-01"},
    "CATEGORY": {"code": "mx-new", "name": "新類別"},
    "OPEN311_APP": {"name": "新 App", "contact": "dev@example.com", "per_minute": 60},
    "OPEN311_LIMIT": {"contact": "dev@example.com", "per_minute": 120},
    "OPEN311_QUESTION": {"code": "lamp", "description": "路燈編號", "datatype": "string"},
    "TRAINING": {"account": "worker", "course": "資安通識", "date": "2026-11-02", "hours": 3},
    "RULES": {
        "report_due_day": 5,
        "review_workdays": 7,
        "remind_workdays": 3,
        "escalate_workdays": 3,
        "serious_gap": "10",
        "money_share": "80",
        "city_min_budget": 5_000_000,
        "city_kinds": ["works"],
    },
}
