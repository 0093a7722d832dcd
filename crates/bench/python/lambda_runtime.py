# The Lambda Runtime API loop the Python handlers run under in the harness, written out
# with urllib as the managed Python runtime would run it: take an event, call
# `handler(event)`, post its answer (or its error).
import json, os, traceback, urllib.request

_BASE = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"

while True:
    with urllib.request.urlopen(_BASE + "next") as _r:
        _request_id = _r.headers["Lambda-Runtime-Aws-Request-Id"]
        _event = json.loads(_r.read())
    try:
        _answer, _outcome = json.dumps(handler(_event)).encode(), "/response"
    except Exception as _error:
        _answer = json.dumps({"errorType": type(_error).__name__, "errorMessage": str(_error),
                              "stackTrace": traceback.format_exc().splitlines()}).encode()
        _outcome = "/error"
    urllib.request.urlopen(urllib.request.Request(
        _BASE + _request_id + _outcome, data=_answer, method="POST")).read()
