"""Error answers read into SDXError: the documented body, a bare message, a page that is not JSON."""

from __future__ import annotations

from ansible_collections.altostrat.sdx.plugins.module_utils._errors import error_from_answer, read_error_body


def test_error_body_variants():
    documented = read_error_body(
        b'{"type": "invalid_request_error", "code": "parameter_missing", "message": "m", "doc_url": "u"}', "")
    assert documented == {"type": "invalid_request_error", "code": "parameter_missing",
                          "message": "m", "doc_url": "u"}
    assert read_error_body(b'{"message": "Unauthenticated."}', "application/json")["message"] == "Unauthenticated."
    page = read_error_body(b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
    assert page["message"] == "an HTML page instead of JSON (502 Bad Gateway)"
    assert read_error_body(b"", "")["message"] is None


def test_an_error_answer_keeps_type_code_message_doc_url_and_status():
    body = b'{"type": "invalid_request_error", "code": "resource_missing", "message": "No site.", "doc_url": "https://d"}'
    error = error_from_answer(404, body, "application/json", method="GET", url="https://sdx.test/x")
    assert error.to_dict() == {"status": 404, "type": "invalid_request_error", "code": "resource_missing",
                               "message": "No site.", "doc_url": "https://d"}
    assert error.message == ("SDX API answered HTTP 404 (invalid_request_error/resource_missing) to GET "
                             "https://sdx.test/x: No site.")
    assert error.ambiguous is False
    assert error_from_answer(502, b"<html>Bad Gateway</html>", "text/html", method="POST", url="u").ambiguous


def test_a_lone_surrogate_in_an_error_answer_is_written_as_its_escape():
    fields = read_error_body(b'{"type": "x\\ud800", "message": "bad \\udc00 value"}', "application/json")
    assert fields["type"] == "x\\ud800" and fields["message"] == "bad \\udc00 value"
    error = error_from_answer(400, b'{"message": "a\\ud800"}', "application/json", method="GET", url="https://x/a")
    error.message.encode("utf-8")  # Ansible can carry it
    assert "a\\ud800" in error.message
