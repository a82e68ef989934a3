"""Bad input never produces a traceback: every mistake is one line
`file:line:col: path.to.key: what must hold, got what was given (hint)`, all of a spec's mistakes
are reported at once, invalid input exits 1, wrong command-line use exits 2.

The corpus is `tests/bad_specs/`, one small file per kind of mistake; `EXPECTED` pins the full text
of every line svcgen prints for each, so the wording of every message is reviewed here.
"""

from __future__ import annotations

import enum
import re
import shutil
from pathlib import Path
from typing import Literal

import pytest

from generator.cli import main
from generator.errors import SpecErrors
from generator.spec.load import load_text
from generator.spec.model import QueueSpec, Strict
from generator.spec.validate import validate_document

RULE_TAG = re.compile(r" \[SVC\d{4}\]$")
CORPUS = Path(__file__).resolve().parent / "bad_specs"
PLATFORM = "platform.yaml"  # known good; the platform cases pass their own with --platform
CONTEXT_PUBLISHER = "accounts.yaml"  # a good publisher spec the corpus subscribes to (loaded as context)

# Cases that a checked-in text file cannot hold cleanly: written by the test into tmp_path.
GENERATED: dict[str, bytes] = {
    "binary_junk.yaml": b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00>\x00",
    "invalid_utf8.yaml": b"service: billing\nowner: team-billing\ndescription: Bills caf\xe9 customers.\n",
    "tabs.yaml": b"service: billing\nowner: team-billing\ndescription: Bills customers.\n"
                 b"functions:\n\tcharge: {}\n\trefund: {}\n",
    "deep_nesting.yaml": b"service: " + b"[" * 60 + b"]" * 60 + b"\n",
    "too_big.yaml": b"service: billing\ndescription: " + b"x" * (1024 * 1024) + b"\n",
    "control_char.yaml": b"service: billing\nowner: team\x07billing\n",
    "yaml_1_1.yaml": b"%YAML 1.1\n---\nservice: billing\n",
}

# case -> every line svcgen must print for it (besides the "N error(s)" summary), in order.
# A case is one spec file, or several arguments separated by spaces (fleet and platform cases);
# `--platform platform.yaml` is added unless the case names its own. Paths are relative to
# tests/bad_specs/ (or tmp_path for GENERATED), exactly as a user would see them.
# A trailing `...` means: these lines first, more may follow.
EXPECTED: dict[str, list] = {
    "contract_missing.yaml": [
        "contract_missing.yaml:4:13: publishes[0]: every event a service owns needs a contract, got none for "
        "InvoiceSent (add `events: {InvoiceSent: {version: 1, fields: {...}}}`)",
    ],
    "contract_unused.yaml": [
        "contract_unused.yaml:5:3: events.InvoiceSent: a contract must be for an event this service publishes "
        "or stores, got InvoiceSent (add it to `publishes` or `event_store.events`)",
        "contract_unused.yaml:8:7: events.InvoiceSent.fields.lines: a list field must say the type of its items, "
        "got no `items` (add `items: string`, or another element type)",
    ],
    "contract_publisher_absent.yaml": [
        "contract_publisher_absent.yaml:7:9: functions.charge.subscribe[0]: needs the contract of CardIssued from "
        "cards, got no spec for cards in this build (put cards.yaml beside platform.yaml, or pass the manifest its build wrote with --manifests PATH)",
    ],
    # --- shape: keys, types, ranges, names ---------------------------------------------------
    "unknown_key_typo.yaml": [
        "unknown_key_typo.yaml:9:7: functions.charge.queue.max_concurency: unknown key 'max_concurency' "
        "(did you mean `max_concurrency`?)",
    ],
    "missing_owner.yaml": [
        "missing_owner.yaml:1:1: owner: is required, got no `owner` key (add `owner:`)",
    ],
    "from_missing.yaml": [  # points at the subscription that lacks `from`
        "from_missing.yaml:7:9: functions.charge.subscribe[0]: a bus subscription must say which service "
        "publishes the event, got no `from` (add `from: <service>`)",
    ],
    "wrong_type_timeout.yaml": [
        "wrong_type_timeout.yaml:6:5: functions.charge.timeout: must be an integer, got '10' "
        "(write the number without quotes: `timeout: 10`)",
    ],
    "timeout_out_of_range.yaml": [
        "timeout_out_of_range.yaml:6:5: functions.charge.timeout: must be ≤ 900, got 901 (valid range 1–900 seconds)",
    ],
    "max_concurrency_below_2.yaml": [
        "max_concurrency_below_2.yaml:9:7: functions.charge.queue.max_concurrency: must be ≥ 2, got 1 "
        "(valid range 2–1000; the limits of Lambda's ScalingConfig.MaximumConcurrency)",
    ],
    "max_receive_count_1.yaml": [
        "max_receive_count_1.yaml:9:7: functions.charge.queue.max_receive_count: must be ≥ 2, got 1 "
        "(valid range 2–1000; with 1, a throttled message goes straight to the DLQ)",
    ],
    "yes_is_not_boolean.yaml": [
        "yes_is_not_boolean.yaml:9:7: functions.charge.queue.fifo: must be true or false, got 'yes' "
        "(YAML 1.2 booleans are only true and false)",
    ],
    "tag_value_number.yaml": [
        "tag_value_number.yaml:5:3: tags.cost-center: must be a string, got 42 (quote the value to make it text)",
    ],
    "section_not_mapping.yaml": [
        "section_not_mapping.yaml:4:1: functions: must be a mapping, got a list "
        "(write `key: value` lines indented under `functions:`)",
    ],
    "functions_null.yaml": [
        "functions_null.yaml:4:1: functions: must be a mapping, got nothing (null) "
        "(write `key: value` lines indented under `functions:`)",
    ],
    "functions_empty.yaml": [
        "functions_empty.yaml:4:1: functions: must have at least 1 entry, got an empty mapping",
    ],
    "string_not_list.yaml": [
        "string_not_list.yaml:4:1: publishes: must be a list, got 'InvoiceSent' "
        "(write `publishes: [InvoiceSent]` or one `- item` line per entry)",
    ],
    "bad_service_name.yaml": [
        "bad_service_name.yaml:1:1: service: service names must be kebab-case (lowercase letters, digits and '-', "
        "starting with a letter), got 'Billing_Service' (for example `billing-service`)",
    ],
    "bad_function_name.yaml": [  # a dict key: points at the key's own line
        "bad_function_name.yaml:6:3: functions.Post_Transaction: function names must be kebab-case (lowercase "
        "letters, digits and '-', starting with a letter), got 'Post_Transaction' (for example `post-transaction`)",
    ],
    "bad_event_name.yaml": [
        "bad_event_name.yaml:4:13: publishes[0]: event names must be PascalCase (letters and digits, starting with "
        "an uppercase letter, like AccountOpened), got 'invoice-sent' (for example `InvoiceSent`)",
    ],
    "bad_env_name.yaml": [
        "bad_env_name.yaml:7:7: functions.charge.environment.2FA_SECRET: environment variable names must be "
        "letters, digits and '_' only, starting with a letter, got '2FA_SECRET'",
    ],
    "bad_handler.yaml": [
        "bad_handler.yaml:6:5: functions.charge.handler: handlers must be module.function (Python names joined "
        "by '.', like handlers.charge.handler), got 'charge'",
    ],
    "bad_email.yaml": [
        "bad_email.yaml:7:11: alerts.email[0]: must be an e-mail address like name@example.com, got 'billing-oncall'",
    ],
    "three_mistakes.yaml": [
        "three_mistakes.yaml:6:5: functions.charge.timout: unknown key 'timout' (did you mean `timeout`?)",
        "three_mistakes.yaml:7:5: functions.charge.memory: must be an integer, got '512' "
        "(write the number without quotes: `memory: 512`)",
        "three_mistakes.yaml:8:5: functions.charge.reserved_concurrency: must be ≥ 1, got 0 (valid range 1–10000)",
    ],
    "workflow_step_errors.yaml": [  # each at the key that is wrong, not at the step's `call`/`pause`
        "workflow_step_errors.yaml:11:9: workflows.settle-invoice.steps[0].timeout: must be ≥ 1, got 0 "
        "(valid range 1–900 seconds)",
        "workflow_step_errors.yaml:13:9: workflows.settle-invoice.steps[1].timeout: must be a duration like 90s, "
        "30m, 12h or 3d (or a number of seconds), got 'soon'",
        "workflow_step_errors.yaml:19:15: workflows.settle-invoice.steps[2].when.approved[0].compensat: unknown "
        "key 'compensat' (did you mean `compensate`?)",
        "workflow_step_errors.yaml:20:9: workflows.settle-invoice.steps[3]: a step must have one of the keys "
        "`call`, `pause` or `choose`, got the key cal (did you mean `call`?)",
        "workflow_step_errors.yaml:21:9: workflows.settle-invoice.steps[4].timeout: is required, got no "
        "`timeout` key (add `timeout:`)",
    ],
    # --- rules relating several fields of one spec ----------------------------------------------
    "fifo_with_standard_dlq.yaml": [
        "fifo_with_standard_dlq.yaml:11:9: functions.charge.queue.dlq.fifo: a FIFO queue needs a FIFO DLQ, got "
        "dlq.fifo: false (SQS requires the dead-letter queue to be of the same type; cfn-lint E3502)",
    ],
    "max_concurrency_above_reserved.yaml": [
        "max_concurrency_above_reserved.yaml:10:7: functions.charge.queue.max_concurrency: must be ≤ "
        "reserved_concurrency (5), got 10 (otherwise the poller is throttled and messages land in the DLQ as if "
        "poisoned)",
    ],
    "fifo_batch_too_big.yaml": [
        "fifo_batch_too_big.yaml:10:7: functions.charge.queue.batch_size: must be ≤ 10 for a FIFO queue, got 20 "
        "(Lambda reads at most 10 records per batch from a FIFO queue)",
    ],
    "fifo_batching_window.yaml": [
        "fifo_batching_window.yaml:10:7: functions.charge.queue.batching_window: must be 0 or absent for a FIFO "
        "queue, got 5 (Lambda does not support a batching window on FIFO queues)",
    ],
    "batch_over_10_without_window.yaml": [
        "batch_over_10_without_window.yaml:9:7: functions.charge.queue.batch_size: a batch size above 10 needs "
        "batching_window ≥ 1, got batch_size 50 and no batching_window "
        "(Lambda requires MaximumBatchingWindowInSeconds here)",
    ],
    "message_group_on_standard.yaml": [
        "message_group_on_standard.yaml:9:7: functions.charge.queue.message_group: is only allowed on a FIFO "
        "queue, got a standard queue (set `fifo: true` on the queue, or remove `message_group`)",
    ],
    "queue_without_subscription.yaml": [
        "queue_without_subscription.yaml:6:5: functions.charge.queue: is only allowed on a function that "
        "subscribes to events, got a queue on 'charge', which has no `subscribe` "
        "(add `subscribe:` or remove `queue:`)",
    ],
    "retention_not_below_dlq.yaml": [
        "retention_not_below_dlq.yaml:9:7: functions.charge.queue.retention_days: must be below the DLQ's "
        "retention (7 days), got 7 (a message's age carries over to the DLQ; it would expire there at once)",
    ],
    "dlq_retention_below_queue.yaml": [
        "dlq_retention_below_queue.yaml:10:9: functions.charge.queue.dlq.retention_days: must be above the "
        "queue's retention (4 days, the default), got 3 (a message's age carries over to the DLQ; it would "
        "expire there at once)",
    ],
    "runtime_not_allowed.yaml": [
        "runtime_not_allowed.yaml:4:1: runtime: must be one of the platform's runtimes, got 'python3.9' "
        "(allowed: python3.12, python3.13; deprecated but accepted: python3.11)",
    ],
    "reserved_env_var.yaml": [
        "reserved_env_var.yaml:8:7: functions.charge.environment.AWS_REGION: environment variable names must not "
        "be reserved, got 'AWS_REGION' (names starting with AWS_ are reserved by Lambda; rename it)",
    ],
    "python_keyword_names.yaml": [  # generated modules and model classes must parse
        "python_keyword_names.yaml:4:13: publishes[0]: event names must not be a Python keyword, got 'None' "
        "(it becomes a class in the generated models; rename it)",
        "python_keyword_names.yaml:10:3: functions.class: function names must not be a Python keyword, got 'class' "
        "(its code is the module plumbing/class.py, which Python cannot import; rename it)",
        "python_keyword_names.yaml:12:5: functions.charge.handler: handlers must not contain a Python keyword, got "
        "'import' in 'handlers.import.handle' (Python cannot import it; rename the module or function)",
    ],
    "duplicate_subscription.yaml": [
        "duplicate_subscription.yaml:8:9: functions.charge.subscribe[1]: a function must subscribe to each event "
        "once, got AccountOpened from accounts again (already at subscribe[0]; merge the two into one entry)",
    ],
    "duplicate_publishes.yaml": [
        "duplicate_publishes.yaml:7:5: publishes[2]: must list each event once, got InvoiceSent again "
        "(already at publishes[0]; remove one)",
    ],
    "filter_leaf_not_list.yaml": [
        "filter_leaf_not_list.yaml:10:11: functions.charge.subscribe[0].filter.account_id: a filter value must be "
        "a list of values or matchers, got 'GBP' (write `account_id: ['GBP']`)",
    ],
    "empty_filter.yaml": [
        "empty_filter.yaml:9:9: functions.charge.subscribe[0].filter: a filter must name at least one field, got "
        "an empty mapping (remove `filter:` to receive every event, or add a field)",
    ],
    # --- workflows and HTTP routes (each rule's cases: tests/rules/test_workflow_rules.py, test_http_rules.py) -
    "workflow_starts_missing.yaml": [  # SVC1401: its own service's name in front used to end in a traceback
        "workflow_starts_missing.yaml:8:14: functions.open-invoice.starts[0]: must name a workflow of this "
        "service, got 'billing.collect-payment' (did you mean `collect-payments`? billing has workflows: "
        "collect-payments)",
    ],
    "workflow_routed_step.yaml": [  # SVC1005
        "workflow_routed_step.yaml:6:3: functions.charge: a function has one trigger, got http and a workflow "
        "step (split it into one function per trigger)",
    ],
    "http_and_subscribe.yaml": [  # SVC1005
        "http_and_subscribe.yaml:6:3: functions.charge: a function has one trigger, got subscribe and http "
        "(split it into one function per trigger)",
    ],
    "workflow_heartbeat_units.yaml": [  # SVC1406: 60 and 1m are equal; a 1 s pause's default heartbeat is 1 s
        "workflow_heartbeat_units.yaml:13:9: workflows.collect-payment.steps[0].heartbeat: must be shorter "
        "than the pause's timeout (1m = 60 s), got 60 s (Step Functions requires HeartbeatSeconds < "
        "TimeoutSeconds)",
        "workflow_heartbeat_units.yaml:15:9: workflows.collect-payment.steps[1].timeout: must be at least 2 "
        "s, so that the default heartbeat (half the timeout, at least 1 s) is shorter, got 1 s (Step "
        "Functions requires HeartbeatSeconds < TimeoutSeconds)",
    ],
    "workflow_timeouts.yaml": [  # SVC1410, SVC1411
        "workflow_timeouts.yaml:10:5: workflows.collect-payment.timeout: must be at most one year (365d, "
        "31536000 s), got 400d = 34560000 s (a Standard execution runs at most one year; split a longer "
        "process into workflows that start each other)",
        "workflow_timeouts.yaml:16:9: workflows.dun-customer.steps[0].timeout: must be shorter than the "
        "workflow's timeout (7d = 604800 s, the default), got 8d = 691200 s (raise "
        "`workflows.dun-customer.timeout` or shorten the pause: a timed-out execution is not compensated)",
    ],
    "workflow_review_decision.yaml": [  # SVC1413, SVC1414: branches that silently never match
        "workflow_review_decision.yaml:19:11: workflows.approve-refund.steps[1].when.approve: must be a "
        "decision a reviewer can send (approved, rejected), got 'approve' (did you mean `approved`? approve() "
        "sends `approved`, reject() sends `rejected`)",
        "workflow_review_decision.yaml:20:11: workflows.approve-refund.steps[1].when.reject: must be a "
        "decision a reviewer can send (approved, rejected), got 'reject' (did you mean `rejected`? approve() "
        "sends `approved`, reject() sends `rejected`)",
        "workflow_review_decision.yaml:22:9: workflows.approve-refund.steps[2].field: must be a field of the "
        "workflow's state (`ids.…`, `steps.<call>.result…`, `review.…`), got 'decision' (did you mean "
        "`review.decision`?)",
    ],
    "workflow_queue_clash.yaml": [  # SVC1416, SVC1417: used to end in a traceback (duplicate resource)
        "workflow_queue_clash.yaml:15:10: workflows.aa.steps[0].pause: its queue 'aa-bb-cc' must differ from "
        "every other queue of the service, got the queue of pause 'cc' of 'aa-bb' again (rename the pause or "
        "workflow)",
        "workflow_queue_clash.yaml:18:34: workflows.dd.steps[0].reviewer: 'decide' already reviews a pause "
        "'cc' (in 'aa-bb'), got a second: both would be its CC_QUEUE_URL (rename one pause, or give it "
        "another reviewer)",
    ],
    "http_route_keys.yaml": [  # SVC1510–SVC1513 (and SVC1503 for the greedy name)
        "http_route_keys.yaml:7:5: functions.get-invoice.http: a path parameter must be a whole segment "
        "`{name}` with matching braces, got '{invoice_id' in 'GET /invoices/{invoice_id' (write "
        "`/accounts/{account_id}`: one parameter per segment, nothing around it)",
        "http_route_keys.yaml:9:5: functions.list-invoices.http: a route path must not have an empty segment "
        "(`//` or a trailing `/`), got '/invoices//all' (write '/invoices/all')",
        "http_route_keys.yaml:11:5: functions.download.http: a greedy path parameter must be the last "
        "segment, got '{path+}' followed by 'meta' in 'GET /files/{path+}/meta' (it takes the rest of the "
        "path: end the route with it, or make it `{name}`)",
        "http_route_keys.yaml:11:5: functions.download.http: path parameters must be Python names, got path+ "
        "(use {account_id}, not {account-id} or {proxy+})",
        "http_route_keys.yaml:13:5: functions.get-line.http: path parameter names must be unique in a route, "
        "got {id} twice in 'GET /invoices/{id}/lines/{id}' (name each after what it identifies, e.g. "
        "/accounts/{account_id}/cards/{card_id})",
        "http_route_keys.yaml:15:5: functions.export.http: a path parameter must be a whole segment `{name}` "
        "with matching braces, got '{name}.csv' in 'GET /exports/{name}.csv' (write `/accounts/{account_id}`: "
        "one parameter per segment, nothing around it)",
    ],
    # --- YAML-level hazards -------------------------------------------------------------------
    "duplicate_key.yaml": [
        "duplicate_key.yaml:6:1: owner: duplicate key 'owner' (first defined on line 2) "
        "(each key may appear only once in a mapping)",
    ],
    "anchors_alias.yaml": [
        "anchors_alias.yaml:5:11: functions.charge: anchor '&fn' found; specs must be explicit; anchors and "
        "aliases are not allowed (write the value out in full)",
        "anchors_alias.yaml:7:11: functions.refund: alias '*fn' found; specs must be explicit; anchors and "
        "aliases are not allowed (write the value out in full)",
    ],
    "merge_key.yaml": [
        "merge_key.yaml:6:5: functions.charge: merge keys ('<<') are not allowed; specs must be explicit; anchors "
        "and aliases are not allowed (write the keys out in full)",
    ],
    "alias_bomb.yaml": [  # stops early: at most 50 errors and a note, never a billion-element list
        "alias_bomb.yaml:1:4: a: anchor '&a' found; specs must be explicit; anchors and aliases are not "
        "allowed (write the value out in full)",
        "alias_bomb.yaml:2:4: b: anchor '&b' found; specs must be explicit; anchors and aliases are not "
        "allowed (write the value out in full)",
        "alias_bomb.yaml:2:8: b[0]: alias '*a' found; specs must be explicit; anchors and aliases are not "
        "allowed (write the value out in full)",
        ...,
    ],
    "custom_tag.yaml": [
        "custom_tag.yaml:3:14: description: the tag '!!python/object/apply:os.system' is not allowed in a "
        "spec (a spec is plain data; write the plain value)",
        "custom_tag.yaml:6:14: functions.charge.timeout: the tag '!Ref' is not allowed in a spec "
        "(a spec is plain data; write the plain value)",
    ],
    "top_level_list.yaml": [
        "top_level_list.yaml:1:1: expected a mapping at the top level, got a list "
        "(- service: billing owner: team-billing) (a spec is a mapping: lines of `key: value`)",
    ],
    "empty_file.yaml": [
        "empty_file.yaml:1:1: expected a mapping at the top level, got an empty document "
        "(a spec is a mapping: lines of `key: value`)",
    ],
    "multi_document.yaml": [
        "multi_document.yaml:6:1: a second YAML document starts here; a spec file holds exactly one document "
        "(remove the extra '---')",
    ],
    "non_string_key.yaml": [
        "non_string_key.yaml:7:7: functions.charge.environment: mapping keys must be strings, got an integer (1) "
        "(quote the key)",
        "non_string_key.yaml:8:9: functions.charge.environment: mapping keys must be strings, got a list ([a, b]) "
        "(quote the key)",
    ],
    "syntax_error.yaml": [
        "syntax_error.yaml:3:29: description: invalid YAML: a ':' is not allowed here; quote a value that contains "
        "': ' or fix the indentation (parser said: mapping values are not allowed here)",
    ],
    "unclosed_bracket.yaml": [
        "unclosed_bracket.yaml:5:10: publishes: invalid YAML: a [ ... ] list is missing a ',' or its closing ']' "
        "(parser said: expected ',' or ']', but got ':', while parsing a flow sequence at line 4)",
    ],
    "binary_junk.yaml": [
        "binary_junk.yaml:1:8: the file contains a NUL byte; a spec must be UTF-8 text, not binary",
    ],
    "invalid_utf8.yaml": [
        "invalid_utf8.yaml:3:23: the file is not valid UTF-8 (byte 0xe9); a spec must be UTF-8 text "
        "(save the file as UTF-8)",
    ],
    "tabs.yaml": [
        "tabs.yaml:5:1: a tab is used for indentation; tabs are not allowed, indent with spaces",
        "tabs.yaml:6:1: a tab is used for indentation; tabs are not allowed, indent with spaces",
    ],
    "deep_nesting.yaml": [
        "deep_nesting.yaml:1:59: the spec nests deeper than 50 levels",
    ],
    "too_big.yaml": [
        "too_big.yaml:1:1: the file is larger than 1 MiB (1048576 bytes), the limit for a spec",
    ],
    "control_char.yaml": [
        "control_char.yaml:2:12: the file contains the control character U+0007, which YAML does not allow",
    ],
    "yaml_1_1.yaml": [
        "yaml_1_1.yaml:2:1: only YAML 1.2 is supported, the file declares %YAML 1.1",
    ],
    "yaml_1_0.yaml": [  # ruamel asserts on a version it does not know: was a traceback
        "yaml_1_0.yaml:2:1: only YAML 1.2 is supported, the file declares %YAML 1.0",
    ],
    "odd_directives.yaml": [  # %TAG would rename tags behind the tag check
        "odd_directives.yaml:3:1: the directive '%LOCAL' is not allowed in a spec; only %YAML 1.2 is "
        "(remove the line)",
        "odd_directives.yaml:3:1: the directive '%TAG' is not allowed in a spec; only %YAML 1.2 is "
        "(remove the line)",
    ],
    "empty_tagged_scalars.yaml": [  # `!!int ''` was an IndexError; `!!bool yes` was silently true
        "empty_tagged_scalars.yaml:6:14: functions.charge.timeout: '' is not a valid !!int "
        "(a spec is plain data; write the plain value)",
        "empty_tagged_scalars.yaml:7:13: functions.charge.memory: '' is not a valid !!float "
        "(a spec is plain data; write the plain value)",
        "empty_tagged_scalars.yaml:8:27: functions.charge.reserved_concurrency: '5' is not a valid !!null "
        "(a spec is plain data; write the plain value)",
        "empty_tagged_scalars.yaml:10:13: functions.charge.queue.fifo: 'yes' is not a valid !!bool "
        "(a spec is plain data; write the plain value)",
    ],
    "name_with_newline.yaml": [  # a trailing newline never passes a name pattern; control chars are escaped
        "name_with_newline.yaml:1:1: service: service names must be kebab-case (lowercase letters, digits and '-', "
        "starting with a letter), got 'billing\\n' (for example `billing`)",
        "name_with_newline.yaml:6:19: functions.charge.environment.TOKEN\\n: environment variable names must be "
        "letters, digits and '_' only, starting with a letter, got 'TOKEN\\n'",
    ],
    "long_values.yaml": [  # a quoted value or key is cut to 60 characters, never printed in full
        "long_values.yaml:4:1: description: must have at most 256 characters, got 10000 ('" + "x" * 56 + "...)",
        "long_values.yaml:5:1: publishes: must be a list, got 'Invoice" + "x" * 49 + "... (write `publishes: "
        "[Invoice" + "x" * 50 + "...]` or one `- item` line per entry)",
        "long_values.yaml:7:3: functions.refund-" + "r" * 50 + "...: function names must have at most 40 "
        "characters, got 1007 ('refund-" + "r" * 49 + "...)",
        "long_values.yaml:9:3: tags.cost\\ncenter: must have at most 256 characters, got 10000 ('" + "x" * 56 + "...)",
        "long_values.yaml:9:3: tags.cost\\ncenter: tag keys must be 1–128 letters, digits, spaces or "
        "_ . : / = + - @, got 'cost\\ncenter'",
        "long_values.yaml:11:3: alerts.email" + "s" * 52 + "...: unknown key 'email" + "s" * 52 + "...' "
        "(allowed keys: email)",
    ],
    # --- the fleet: rules that need two specs ---------------------------------------------------
    "fleet/unpublished_publisher.yaml fleet/unpublished_subscriber.yaml": [
        "fleet/unpublished_subscriber.yaml:7:9: functions.remind.subscribe[0].event: must be an event that "
        "invoices publishes, got InvoiceSend "
        "(did you mean `InvoiceSent`? fleet/unpublished_publisher.yaml publishes: InvoiceSent)",
    ],
    "fleet/duplicate_service_a.yaml fleet/duplicate_service_b.yaml": [
        "fleet/duplicate_service_b.yaml:1:1: service: service names must be unique in a build, got 'invoices', "
        "already defined in fleet/duplicate_service_a.yaml (each service has exactly one spec)",
    ],
    "fleet/reserved_a.yaml fleet/reserved_b.yaml": [
        "platform.yaml:8:3: lambda.account_concurrency_limit: reserved concurrency across the fleet must be ≤ 900 "
        "(this limit − 100 that AWS keeps unreserved), got 950 (invoices.issue=500, payouts.pay=450) "
        "(lower `reserved_concurrency` in the specs, or raise the account's Lambda concurrency quota)",
    ],
    # --- platform.yaml ----------------------------------------------------------------------
    "good.yaml --platform platforms/retention_not_allowed.yaml": [
        "platforms/retention_not_allowed.yaml:4:5: defaults.logs.retention_days: must be a retention CloudWatch "
        "Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, "
        "2922, 3288, 3653), got 31",
    ],
    "good.yaml --platform platforms/unknown_key.yaml": [
        "platforms/unknown_key.yaml:6:3: lambda.account_concurrency_limt: unknown key 'account_concurrency_limt' "
        "(did you mean `account_concurrency_limit`?)",
    ],
    "good.yaml --platform platforms/ephemeral_parent_not_persistent.yaml": [
        "platforms/ephemeral_parent_not_persistent.yaml:4:3: stages.ephemeral_parent: must be a persistent stage, "
        "got 'staging'",
    ],
    "good.yaml --platform platforms/default_runtime_not_allowed.yaml": [
        "platforms/default_runtime_not_allowed.yaml:3:3: runtimes.default: must be one of runtimes.allowed "
        "['python3.12', 'python3.13'], got 'python3.11'",
    ],
    "good.yaml --platform platforms/bad_org.yaml": [
        "platforms/bad_org.yaml:1:1: org: org names must be 2–10 lowercase letters and digits, starting with a "
        "letter, got 'ACME Corp'",
        "platforms/bad_org.yaml:2:1: region: must be an AWS region that has CloudFormation, got 'eu-west' (did you "
        "mean `eu-west-1`, `eu-west-2` or `eu-west-3`? a region newer than the installed botocore needs an upgrade: "
        "`pip install -U boto3`)",
    ],
    "good.yaml --platform platforms/unknown_region.yaml": [  # botocore's list, no network
        "platforms/unknown_region.yaml:2:1: region: must be an AWS region that has CloudFormation, got 'eu-west-9' "
        "(did you mean `eu-west-1`, `eu-west-2` or `eu-west-3`? a region newer than the installed botocore needs "
        "an upgrade: `pip install -U boto3`)",
    ],
    "good.yaml --platform platforms/jwt_without_issuer.yaml": [
        "platforms/jwt_without_issuer.yaml:2:1: http.jwt: is required when `auth` is jwt, got no `jwt` key "
        "(add `jwt:` with `issuer: https://...` and `audiences: [...]`, or use `auth: iam`)",
    ],
}


def _arguments(case: str, tmp_path: Path, monkeypatch) -> list[str]:
    """The case's command-line paths, run from the directory the expected paths are relative to."""
    args = case.split()
    if case in GENERATED:
        (tmp_path / case).write_bytes(GENERATED[case])
        shutil.copy(CORPUS / PLATFORM, tmp_path / PLATFORM)
        monkeypatch.chdir(tmp_path)
    else:
        monkeypatch.chdir(CORPUS)
    return args if "--platform" in args else [*args, "--platform", PLATFORM]


def _check(code: int, out: str, err: str, expected: list) -> None:
    assert "Traceback" not in out + err
    assert code == 1, err
    lines = err.splitlines()
    assert lines[-1].endswith("error(s); nothing was written"), err
    # Which rule reported a line is pinned per rule in tests/rules/; here: the message a user reads.
    reported = [RULE_TAG.sub("", line) for line in lines[:-1]]
    if expected and expected[-1] is ...:
        assert reported[: len(expected) - 1] == expected[:-1]
    else:
        assert reported == expected
        assert lines[-1] == f"{len(expected)} error(s); nothing was written"


def test_every_corpus_file_has_a_case():
    named = {word for case in EXPECTED for word in case.split() if word.endswith(".yaml")}
    on_disk = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*.yaml")}
    assert on_disk - named == {PLATFORM, CONTEXT_PUBLISHER}
    assert named - on_disk == set(GENERATED)


@pytest.mark.parametrize("case", EXPECTED)
def test_validate_reports_exactly(case, tmp_path, monkeypatch, capsys):
    code = main(["validate", *_arguments(case, tmp_path, monkeypatch)])
    out, err = capsys.readouterr()
    _check(code, out, err, EXPECTED[case])
    assert out == ""


@pytest.mark.parametrize("case", EXPECTED)
def test_build_reports_the_same_and_writes_nothing(case, tmp_path, monkeypatch, capsys):
    out_dir = tmp_path / "build-out"
    code = main(["build", *_arguments(case, tmp_path, monkeypatch), "--out", str(out_dir), "--no-lint"])
    out, err = capsys.readouterr()
    _check(code, out, err, EXPECTED[case])
    assert not out_dir.exists()


def test_a_bad_spec_beside_a_good_one_writes_no_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(CORPUS)
    out_dir = tmp_path / "out"
    code = main(["build", "good.yaml", "wrong_type_timeout.yaml", "--platform", PLATFORM,
                 "--out", str(out_dir), "--no-lint"])
    _, err = capsys.readouterr()
    assert code == 1
    assert "nothing was written" in err
    assert not out_dir.exists() or not any(out_dir.rglob("*"))


def test_all_mistakes_of_a_spec_are_reported_at_once(monkeypatch, capsys):
    monkeypatch.chdir(CORPUS)
    code = main(["validate", "three_mistakes.yaml", "--platform", PLATFORM])
    _, err = capsys.readouterr()
    assert code == 1
    assert [line.split(": ")[1] for line in err.splitlines()[:-1]] == [
        "functions.charge.timout", "functions.charge.memory", "functions.charge.reserved_concurrency"]
    assert err.splitlines()[-1] == "3 error(s); nothing was written"


def test_mistakes_of_several_files_are_reported_together(monkeypatch, capsys):
    monkeypatch.chdir(CORPUS)
    code = main(["validate", "missing_owner.yaml", "bad_email.yaml", "--platform", "platforms/bad_org.yaml"])
    _, err = capsys.readouterr()
    assert code == 1
    files = {line.split(":")[0] for line in err.splitlines()[:-1]}
    assert files == {"missing_owner.yaml", "bad_email.yaml", "platforms/bad_org.yaml"}
    assert err.splitlines()[-1] == "4 error(s); nothing was written"


# --- usage errors: exit 2 ------------------------------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["bogus"], "invalid choice: 'bogus'"),
    ([], "the following arguments are required: COMMAND"),
    (["validate", "no_such_spec.yaml", "--platform", PLATFORM], "svcgen: error: no_such_spec.yaml: no such file or directory"),
    (["validate", "good.yaml", "--platform", "no_such_platform.yaml"],
     "svcgen: error: no_such_platform.yaml: platform file not found (pass --platform FILE, or create a "
     "platform repository with `svcgen init`)"),
    (["build", "good.yaml", "--platform", PLATFORM, "--no-lint", "--stage", "Bad_Stage"],
     "svcgen: error: --stage 'Bad_Stage' is not a valid stage name: lowercase letters, digits and '-', "
     "starting with a letter, at most 20 characters"),
    (["build", "good.yaml", "--stage", "dev", "--branch", "feature/x"], "not allowed with argument"),
    (["validate", "good.yaml", "--no-such-option"], "unrecognized arguments: --no-such-option"),
])
def test_usage_errors_exit_2(argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(CORPUS)
    if argv[:1] == ["build"]:
        argv = [*argv, "--out", str(tmp_path / "out")]
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2
    assert message in err
    assert "Traceback" not in out + err
    assert not (tmp_path / "out").exists()


# --- pydantic error kinds the service model does not use (yet): pinned on small models ----------

class Method(enum.Enum):
    GET = "GET"
    POST = "POST"


class Sample(Strict):
    verb: Literal["GET", "POST", "PUT"] | None = None
    method: Method | None = None
    size: int | str | None = None
    queue: QueueSpec | str | None = None


def _errors(text: str) -> list[str]:
    with pytest.raises(SpecErrors) as caught:
        validate_document(load_text(text, "s.yaml"), Sample)
    return [e.render() for e in sorted(caught.value.errors)]


def test_literal_lists_the_allowed_values():
    assert _errors("verb: PUTT\n") == [
        "s.yaml:1:1: verb: must be one of the allowed values, got 'PUTT' (did you mean `PUT`? allowed: GET, POST, PUT)"]


def test_enum_lists_the_allowed_values():
    assert _errors("method: DELETE\n") == [
        "s.yaml:1:1: method: must be one of the allowed values, got 'DELETE' (allowed: GET, POST)"]


def test_union_gives_one_message():
    assert _errors("size: [1]\n") == ["s.yaml:1:1: size: must be an integer or a string, got a list"]


def test_union_prefers_the_alternative_the_value_is_shaped_like():
    assert _errors("queue:\n  fifo: 'yes'\n") == [
        "s.yaml:2:3: queue.fifo: must be true or false, got 'yes' (YAML 1.2 booleans are only true and false)"]
    assert _errors("queue: 5\n") == ["s.yaml:1:1: queue: must be a mapping or a string, got 5"]
