"""Locust users for the HTTP load benchmark (bench/load.py starts locust with this file).

The scenario and its prepared credentials come from the JSON file named by ZHUQI_LOAD_CONFIG
(written by bench/load.py); ZHUQI_LOAD_SCENARIO names the scenario to run. Every request says
`X-Forwarded-Proto: https`, as the TLS-terminating proxy in front of gunicorn would, so the
production settings (SSL redirect, secure cookies) stay on. Anything but the expected status
(200, or 201 for intake, 400 for a refused empty form) is a failure; redirects are not followed
(a redirect to the login or 2FA page would otherwise look like a fast success).
"""

from __future__ import annotations

import itertools
import json
import os
import random

from locust import FastHttpUser, constant, task

CONFIG = json.loads(open(os.environ["ZHUQI_LOAD_CONFIG"], encoding="utf-8").read())  # noqa: SIM115
SCENARIO = CONFIG["scenarios"][os.environ["ZHUQI_LOAD_SCENARIO"]]
_clients = itertools.count()

TITLES = ["用电报装周期长", "厂区道路破损", "融资担保申请", "用工招聘困难", "环评手续办理", "土地证办理缓慢"]
DETAILS = [
    "企业新建车间需要增容变压器，申请两个月仍未接电，影响投产。",
    "园区道路坑洼，货车进出困难，请协调修复。",
    "流动资金紧张，希望对接银行开展应收账款质押融资。",
    "订单增加，急需熟练工人约五十名，请协助对接人社部门。",
    "扩建项目环评材料已提交，审批进度不明，请帮助跟进。",
]


class LoadUser(FastHttpUser):
    wait_time = constant(SCENARIO.get("wait", 0))

    def on_start(self):
        n = next(_clients)
        clients = SCENARIO["clients"]
        self.me = clients[n % len(clients)]
        self.rng = random.Random(n)
        self.headers = {"X-Forwarded-Proto": "https", **self.me.get("headers", {})}

    @task
    def request_once(self):
        if SCENARIO.get("refused"):  # an empty form: refused (400) before any lookup or write
            expected, method, url, kwargs = 400, "POST", self.me["url"], {"json": {}}
        elif SCENARIO["kind"] == "intake":
            body = {
                "enterprise": self.rng.choice(self.me["enterprises"]),
                "title": f"[压测] {self.rng.choice(TITLES)}",
                "description": self.rng.choice(DETAILS),
                "channel": "h12345",
                "urgency": "normal",
            }
            if self.me.get("categories"):
                body["category"] = self.rng.choice(self.me["categories"])
            expected, method, url, kwargs = 201, "POST", self.me["url"], {"json": body}
        elif SCENARIO["kind"] == "helpdesk":  # django-helpdesk's bare ticket create, same texts
            body = {
                "queue": self.me["queue"],
                "title": f"[压测] {self.rng.choice(TITLES)}",
                "description": self.rng.choice(DETAILS),
                "submitter_email": "enterprise@example.com",
                "priority": 3,
            }
            expected, method, url, kwargs = 201, "POST", self.me["url"], {"json": body}
        else:
            expected, method, url, kwargs = 200, "GET", self.rng.choice(self.me["urls"]), {}
        with self.client.request(
            method,
            url,
            name=SCENARIO["name"],
            headers=self.headers,
            allow_redirects=False,
            catch_response=True,
            **kwargs,
        ) as response:
            if response.status_code != expected:
                response.failure(f"HTTP {response.status_code}")
            else:  # the refused form's expected 400 would otherwise count as a failure
                response.success()
