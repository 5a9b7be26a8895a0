"""The order pytest-xdist hands the tests out in: the longest first, spread over the workers.

pytest-xdist's ``--dist worksteal`` gives each of N workers the next 1/N of the collected
tests, in order; a worker left idle takes over the second half of what the busiest one has
not started. Collected in file order, a long test near the end of a worker's share set the
suite's end while the other worker sat idle. Here the known long tests are shared out
first (each to the worker with the fewest seconds so far), at the head of each worker's
share, and the short ones follow in file order: what is left to steal at the end is short.

The figures are seconds per test function (setup, call and teardown: the junit report's
time, the first test of a worker to need the live stack counting its start), for each of
its parameters when it has some; measured on SQLite with ``-n 2`` on the two shared cores
(load 4-8, so about half again a quiet machine's; only their proportions matter). A test
missing here counts as short; a renamed one only loses its place in the order.
"""

LONG_TESTS = {
    "test_every_page_of_every_role_in_french_passes_axe": {
        "traveler-1of2": 36, "supervisor": 33, "admin": 26, "employer": 22,
        "traveler-2of2": 21, "officer": 20, "signed-out": 2},
    "test_concurrent_copies_of_every_task_have_one_effect": 47,
    "test_the_documented_rotation_is_safe_end_to_end": 47,
    "test_forms_sent_wrong_show_the_summary_first_focused_and_linked": 40,
    "test_tn_petition_from_filing_to_approval": 38,
    "test_a_killed_worker_delays_routing_by_less_than_a_minute_and_doubles_nothing": 24,
    "test_a_wiped_broker_delays_emails_and_webhooks_but_loses_none": 36,
    "test_the_readme_production_block_reaches_a_healthy_healthz": 33,
    "test_readiness_and_doctor_name_what_is_stopped": 27,
    "test_identity_approval_notice_and_its_verification": 23,
    "test_every_rule_answers_every_role_without_error_or_leak": 22,
    "test_two_beats_escalate_and_remind_once_each_without_delay": 21,
    "test_the_employer_list_pages_cost_as_many_statements_at_10_travelers_as_at_3": 20,
    "test_submission_while_the_broker_is_down_is_routed_when_it_returns": 19,
    "test_procfile_scale_runs_two_web_servers_and_a_worker_per_country": 14,
    "test_a_canada_worker_routes_canada_while_us_petitions_wait_for_theirs": 13,
    "test_a_5000_row_import_with_100_bad_rows": 12,
    "test_a_benchmark_run_removes_its_temporary_folder": 11,
    "test_backup_and_restore_bring_back_every_petition_and_document": 9,
    "test_officers_claiming_at_once_never_share_a_petition": 8,
    "test_a_failing_mail_server_is_retried_and_delivers_once": 8,
    "test_the_officer_decides_outcome_first": 8,
    "test_the_traveler_answers_in_one_place_and_the_case_goes_back": 7,
    "test_signed_in_forms_never_answer_5xx": {"officer": 7},
    "test_a_traveler_files_step_by_step_and_resumes_after_signing_out": 7,
    "test_a_test_event_reaches_the_endpoint": 7,
    "test_the_documented_snippet_verifies_a_real_delivery": 6,
    "test_the_officer_sees_the_decision_first_at_390_px": 6,
    "test_a_webhook_flood_does_not_delay_a_password_reset_email": 6,
    "test_the_employer_pages_table_first_paginated_and_confirmed": 6,
    "test_every_reachable_form_sent_wrong_shows_the_summary_first": {"supervisor": 5},
    "test_the_port_officer_records_an_admission_the_traveler_and_employer_see": 5,
    "test_bandit_finds_nothing_unexplained": 5,
    "test_an_officers_day": 5,
    "test_seed_demo_travelers_have_identities_and_their_petitions_file": 5,
    "test_pages_reached_by_a_link_or_half_way_through_signing_in": 5,
}


def seconds(nodeid: str) -> float:
    """The known length of a test, 0 for a short one."""
    name, _, params = nodeid.rpartition("::")[2].partition("[")
    known = LONG_TESTS.get(name, 0)
    if isinstance(known, dict):
        return known.get(params.rstrip("]"), 0)
    return known


def shares(count: int, workers: int) -> list[int]:
    """How many tests xdist's worksteal gives each worker at the start."""
    sizes = []
    for k in range(workers):
        sizes.append(count // (workers - k))
        count -= sizes[-1]
    return sizes


def longest_first(items: list, workers: int) -> list:
    """``items`` reordered for ``workers`` workers (see the module's docstring)."""
    lengths = [seconds(item.nodeid) for item in items]
    long = sorted((i for i, s in enumerate(lengths) if s), key=lambda i: -lengths[i])
    short = [i for i, s in enumerate(lengths) if not s]
    heads, totals = [[] for _ in range(workers)], [0.0] * workers
    for i in long:
        k = totals.index(min(totals))
        heads[k].append(i)
        totals[k] += lengths[i]
    order = []
    for k, size in enumerate(shares(len(items), workers)):
        share = heads[k][:size]
        short[:0] = heads[k][size:]  # more long tests than the share holds: the next one's
        fill = size - len(share)
        order += share + short[:fill]
        del short[:fill]
    return [items[i] for i in order]
