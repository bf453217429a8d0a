"""Persona × endpoint: every URL and every API operation has a stated access decision.

The URL patterns come from the URL conf and the operations from the OpenAPI schema, so a new
endpoint that is not in the tables below fails `test_it_states_an_access_decision_for_…`.
`test_it_gives_each_persona_the_stated_access` then requests every cell, on objects of the
liaison's department (PW): GET for reads; for writes a body that passes the schema or form,
so that what is seen is the access decision, not validation. Each request runs in a
savepoint that is rolled back and with a copy of the persona's cookies, so every cell sees
the same data and session.

Outcome codes, one per persona in PERSONAS order:
  A  allowed: 2xx, a redirect that is not to the sign-in page, or for a write 400/409/415/422
     (the request got past the access check to validation or a business rule)
  L  sign in first: a redirect to the sign-in page (pages) or 401 (API, or a challenge)
  D  denied: 403, or 404 where telling that the object exists would say too much
  M  405, the method is not offered at this address
Any 5xx fails the cell, whatever was expected.

Table rows: the route (pages) or the operation, its codes, then `name=value` for each path
parameter (a fixture object of `world`, or a literal), `?query` and `@BODY` (see BODIES).
"""

import datetime as dt
import io
import json
import re
from http.cookies import SimpleCookie

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from PIL import Image

from guankao.core import calendar
from guankao.core import services as core_services
from guankao.core.attachments import attachment_create
from guankao.petitions import services as petition_services
from guankao.petitions.models import Category, Knowledge
from guankao.plans import publishing, rounds
from guankao.plans import services as plan_services
from guankao.plans.models import Plan, Submission
from guankao.tracking import meetings, reporting
from guankao.tracking import services as tracking_services
from tests.conftest import client_for, make_user
from tests.tracking.conftest import plan as baseline_month

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
    # seccore
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
PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\{(\w+)\}")
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _rows(table: str) -> list[tuple[list[str], dict, str, str | None]]:
    """(leading fields, path parameters, query, body name) per row of a table."""
    rows = []
    for line in table.strip().splitlines():
        if line.startswith("#"):
            continue
        fields, params, query, body = [], {}, "", None
        for token in line.split():
            if token.startswith("@"):
                body = token[1:]
            elif token.startswith("?"):
                query = token
            elif "=" in token:
                name, value = token.split("=", 1)
                params[name] = value
            else:
                fields.append(token)
        rows.append((fields, params, query, body))
    return rows


def _pages() -> dict:
    return {
        fields[0][1:]: (fields[1:], params, query, body)
        for fields, params, query, body in _rows(PAGES_TABLE)
    }


def _api() -> dict:
    return {
        f"{fields[0]} {fields[1]}": (fields[2:], params, query, body)
        for fields, params, query, body in _rows(OPERATIONS_TABLE)
    }


def _routes(resolver=None, prefix="") -> list[str]:
    resolver = resolver or get_resolver()
    routes = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            routes += _routes(entry, route)
        elif isinstance(entry, URLPattern):
            routes.append(route)
    return routes


def _operations() -> set[str]:
    from guankao.api import api

    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def _template(route: str) -> str:
    return PARAM.sub(lambda m: "{" + (m.group(1) or m.group(2)) + "}", route)


def test_it_states_an_access_decision_for_every_endpoint():
    pages, api, operations = _pages(), _api(), _operations()
    routes = {r for r in _routes() if not r.startswith("api/v1/")}
    # Every URL the API mounts is an operation of its schema (none hidden from it).
    api_urls = {"/" + _template(r) for r in _routes() if r.startswith("api/v1/")}
    assert sorted(api_urls - {op.split(" ", 1)[1] for op in operations}) == []
    assert sorted(routes - set(pages)) == [], "pages without an access decision"
    assert sorted(operations - set(api)) == [], "API operations without an access decision"
    assert sorted(set(pages) - routes) == [], "rows for routes that no longer exist"
    assert sorted(set(api) - operations) == [], "rows for operations that no longer exist"
    for key, (codes, params, _query, body) in {**pages, **api}.items():
        assert all(len(c) == len(PERSONAS) and set(c) <= set("ALDM") for c in codes), key
        assert len(codes) == (2 if key in pages else 1), key
        assert {a or b for a, b in PARAM.findall(key)} == set(params), key
        assert body is None or body in BODIES, key


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def world(people, city):
    """One object of each kind, PW's unless named otherwise, built through the services."""
    liaison, officer = people["liaison"], people["officer"]
    people["nodept"] = make_user("nodept", None)
    works = tracking_services.item_create(
        actor=liaison,
        kind="works",
        number="W-115-001",
        title="民族路人行道改善工程",
        lead=city["pw"],
        budget_total=12_000_000,
        latitude="23.480000",
        longitude="120.449000",
        start_date=dt.date(2026, 1, 15),
        finish_date=dt.date(2026, 12, 31),
    )
    milestone = tracking_services.milestone_add(
        actor=liaison, item=works, title="開工", due=dt.date(2026, 3, 1)
    )
    tracking_services.milestone_done(actor=liaison, milestone=milestone, done_on="115/02/27")
    baseline_month(works, 2026, 10, 40)  # the approved baseline's figure for the month
    report = reporting.report_file(
        actor=liaison, item=works, year=2026, month=10, work_done="施工中", actual=40
    )
    meeting = meetings.meeting_open(
        actor=officer, year=2026, month=11, held_on=dt.date(2026, 11, 20)
    )
    plan = plan_services.plan_create(
        actor=officer,
        department=city["pw"],
        kind=Plan.Kind.MIDTERM,
        title="工務處中程施政計畫",
        first_year=2025,
        last_year=2027,
    )
    goal = plan_services.goal_create(actor=officer, plan=plan, number="一", title="提升工程品質")
    kpi = plan_services.kpi_create(
        actor=officer,
        goal=goal,
        number="1",
        name="工程查核完成率",
        measure="查核完成數/應查核數",
        unit="%",
        direction="higher",
        accumulation="last",
        frequency="monthly",
        path="flat",
        targets={2026: "≧80%"},
    )
    measurement = plan_services.measurement_record(
        actor=liaison, kpi=kpi, year=2026, period=10, value="85"
    )
    plan_round = rounds.round_open(
        actor=officer, year=2027, deadline=dt.date(2027, 1, 31), departments=[city["pw"]]
    )
    published = publishing.publish(actor=officer, year=2026)
    attachment = attachment_create(
        actor=liaison,
        file=SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf"),
        department=city["pw"],
        owner_type="core.department",
        owner_id=city["pw"].pk,
    )
    image = attachment_create(
        actor=liaison,
        file=SimpleUploadedFile("site.png", _png(), content_type="image/png"),
        department=city["pw"],
        owner_type="core.department",
        owner_id=city["pw"].pk,
    )
    token, _ = core_services.token_create(actor=liaison, name="matrix")
    petition_api = _petition(officer, liaison, city["pw"])
    calendar.override_set(
        actor=people["admin"], date=dt.date(2026, 12, 26), is_working_day=True, reason="補班"
    )
    petition = _petition_case(city, officer)
    knowledge = Knowledge.objects.create(
        department=city["pw"], question="路燈不亮", answer="通報 1999", updated_by=liaison
    )
    return {
        "petition": petition.pk,
        "category": petition.category_id,
        "knowledge": knowledge.pk,
        "works": works.pk,
        "milestone": milestone.pk,
        "baseline": works.baseline_id,
        "report": report.pk,
        "meeting": meeting.pk,
        "plan": plan.pk,
        "goal": goal.pk,
        "kpi": kpi.pk,
        "measurement": measurement.pk,
        "round": plan_round.pk,
        "submission": Submission.objects.get(plan_round=plan_round).pk,
        "published": published.pk,
        "file": attachment.pk,
        "image": image.pk,
        "token": token.pk,
        "case": petition_api["case"],
        "petition_request": petition_api["request"],
        "petition_reply": petition_api["reply"],
        "worker": people["worker"].pk,
        "pw": city["pw"].code,
        "date": "2026-12-26",
        **_open311(officer, petition.category),
        **_security(people, city),  # seccore
        **_isac(people["admin"]),
    }


def _security(people, city) -> dict:
    """seccore: the city as an agency, with an incident and an audit (the administrator is
    the CISO)."""
    from guankao.security import services_registers as regs
    from guankao.security.models import Agency
    from tests.security.incident_helpers import ago, audit, incident, service

    agency = Agency.objects.create(department=city["root"], level="A")
    admin = people["admin"]
    the_audit = audit(admin, agency)
    finding = regs.finding_add(
        actor=admin,
        audit_item=the_audit,
        text="弱密碼",
        severity="high",
        action="強制密碼原則",
        owner="資訊科",
        due_date=dt.date(2026, 12, 31),
    )
    the_service = service(admin, agency)
    outage = regs.outage_create(
        actor=admin,
        agency=agency,
        started_at=ago(hours=2),
        planned=False,
        cause="斷電",
        services=[the_service],
    )
    return {
        "security_incident": incident(admin, agency).pk,
        "security_audit": the_audit.pk,
        "security_finding": finding.pk,
        "security_service": the_service.pk,
        "security_outage": outage.pk,
        **_secops(people["admin"], city),
    }


def _secops(admin, city) -> dict:
    """The city as an agency (level A) with a duty instance, a SOC point and a training
    record of the PW worker."""
    from guankao.core.models import User
    from guankao.security import duties, soc, training
    from guankao.security.models import Agency, Duty, DutyInstance

    agency, _new = Agency.objects.get_or_create(department=city["root"], defaults={"level": "A"})
    duties.duties_generate(actor=admin, year=2026)
    point, _token = soc.point_create(actor=admin, agency=agency, name="核心機房", site="B1")
    record = training.training_record(
        actor=admin,
        user=User.objects.get(username="worker"),
        course="資安通識",
        date=dt.date(2026, 3, 2),
        hours="3",
    )
    return {
        "duty_instance": DutyInstance.objects.filter(agency=agency).first().pk,
        "duty_def": Duty.objects.get(level="A", code="pentest").pk,
        "soc_point": point.pk,
        "training_record": record.pk,
    }


def _isac(admin) -> dict:
    """A member, and an indicator the CISO (the administrator) shared in the members'
    collection, with the status of that POST."""
    from guankao.security.isac import defaults, ingest
    from guankao.security.isac import services as isac_services
    from guankao.security.isac.access import Principal
    from guankao.security.isac.models import Collection
    from tests.security.isac.conftest import indicator

    defaults.ensure()
    member, _secret = isac_services.member_create(
        actor=admin,
        name="嘉義縣政府",
        kind="neighbour",
        contact_name="窗口",
        contact_email="a@b.tw",
    )
    share = Collection.objects.get(alias="members-share")
    obj = indicator()
    status = ingest.objects_add(
        principal=Principal(user=admin, operator=True), collection=share, objects=[obj]
    )
    upstream = isac_services.upstream_create(
        actor=admin, name="N-ISAC", url="https://taxii.example/c/", collection=share
    )
    return {
        "isac_upstream": upstream.pk,
        "isac_member": member.pk,
        "isac_collection": str(share.pk),
        "isac_status": str(status.pk),
        "isac_object": obj["id"],
    }


def _open311(officer, category) -> dict:
    """An Open311 app, a question of the case's category (reported online) and a report."""
    from guankao.petitions import clients, public

    Category.objects.filter(pk=category.pk).update(public=True)
    app, _key = clients.client_create(actor=officer, name="matrix", contact="dev@example.com")
    question = clients.attribute_save(
        actor=officer, category=category, code="size", datatype="string", description="大小"
    )
    case, _code = public.file_public_request(
        client=app, category=category.code, description="有洞", address="中山路"
    )
    return {
        "open311_app": app.pk,
        "open311_question": question.pk,
        "open311_case": case.number,
        "open311_token": case.public_request.token,
    }


def _petition(officer, liaison, pw) -> dict:
    """A PW case with a pending re-routing request and a reply waiting for the head."""
    from guankao.petitions import handling
    from guankao.petitions import services as petition_services
    from guankao.petitions.models import Category

    category = Category.objects.create(code="mx-pothole", name="道路坑洞", department=pw)
    category.path = f"/{category.pk}/"
    category.save(update_fields=["path"])
    case = petition_services.case_file(
        actor=officer,
        kind="petition",
        channel="phone",
        subject="路面坑洞",
        text="中山路有坑洞",
        category=category,
        name="王小明",
        phone="0912-345-678",
    )
    request = handling.reroute_request(actor=liaison, case=case, reason="非本處業務")
    reply = handling.reply_draft(actor=liaison, case=case, text="已修補", method="phone")
    return {"case": case.pk, "request": request.pk, "reply": reply.pk}


def _petition_case(city, officer):
    """A 1999 case about a pothole, assigned to PW at filing."""
    category = Category.objects.create(code="pothole", name="道路坑洞", department=city["pw"])
    category.path = f"/{category.pk}/"
    category.save(update_fields=["path"])
    return petition_services.case_file(
        actor=officer,
        kind="petition",
        channel="phone",
        subject="民族路口坑洞",
        text="路口有坑洞",
        category=category,
        name="王小明",
        phone="0912-345-678",
    )


def _classify(response, method: str, api: bool) -> str:
    status = response.status_code
    if status >= 500:
        return f"5xx ({status})"
    if status == 405:
        return "M"
    if status in (403, 404):
        return "D"
    if status == 401 and (api or response.has_header("WWW-Authenticate")):
        return "L"
    if 300 <= status < 400 and response["Location"].startswith("/login/"):
        return "L"
    if status < 400 or (method != "GET" and status in (400, 409, 415, 422)):
        return "A"
    return f"? ({status})"


def _form(body: dict, world: dict) -> dict:
    out = {}
    for key, value in body.items():
        if isinstance(value, tuple):
            value = SimpleUploadedFile(value[0], value[1], content_type="text/csv")
        elif isinstance(value, str):
            value = value.format(**world)
        out[key] = value
    return out


def _request(client, method: str, path: str, body: dict, api: bool, world: dict):
    if method == "GET":
        return client.get(path)
    if not api:
        return client.post(path, _form(body, world))
    if method == "DELETE":
        return client.delete(path)
    return client.generic(method, path, json.dumps(body), content_type="application/json")


def _cells(world: dict):
    """(row, method, concrete path, expected codes, body, is API) for every cell row."""
    for route, (codes, params, query, body) in _pages().items():
        path = "/" + _template(route).format(**{k: world.get(v, v) for k, v in params.items()})
        for method, expected in zip(("GET", "POST"), codes, strict=True):
            yield route, method, path + query, expected, BODIES.get(body, {}), False
    for operation, (codes, params, query, body) in _api().items():
        method, template = operation.split(" ", 1)
        path = template.format(**{k: world.get(v, v) for k, v in params.items()})
        yield operation, method, path + query, codes[0], BODIES.get(body, {}), True


@pytest.mark.slow
def test_it_gives_each_persona_the_stated_access(world, people, settings):
    settings.AXES_ENABLED = False  # the sign-in form is posted with no password, by design
    jars = {name: client_for(people[name]).cookies for name in PERSONAS if name != "anonymous"}
    jars["anonymous"] = SimpleCookie()
    wrong, tried = [], 0
    for key, method, path, codes, body, api in _cells(world):
        for persona, expected in zip(PERSONAS, codes, strict=True):
            client = Client(raise_request_exception=False)
            client.cookies = SimpleCookie(jars[persona].output(header="", sep=";"))
            with transaction.atomic():
                response = _request(client, method, path, body, api, world)
                transaction.set_rollback(True)
            tried += 1
            got = _classify(response, method, api)
            if got != expected:
                wrong.append(f"{key}: {method} {path} as {persona}: {expected} expected, {got}")
    assert tried > 1500
    assert wrong == [], f"{len(wrong)} of {tried} cells:\n" + "\n".join(wrong)
