"""The compose deployment as a user meets it, on a real Docker engine.

Run by scripts/compose-test.sh (`make compose-test`), which starts the engine and provides the
base images (stand-ins built here when no registry can be reached). The real Dockerfile and
docker-compose.yml are used unchanged; settings go in as environment variables, as a `.env` would
give them. Every request goes to 127.0.0.1 (the published ports) or through `docker exec`.
Every load loop is bounded in count and in time. The tests run in order, on one stack.
"""
import datetime
import json
import os
import re
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest
import websocket

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROJECT = "sbcompose"
ADMIN = ("admin@example.com", "correct horse battery")
FIGURES = {}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


GATEWAY_PORT, PROXY_PORT, MAIL_PORT = free_port(), free_port(), free_port()
ENVIRONMENT = {
    "POSTGRES_PASSWORD": uuid.uuid4().hex,
    "SWITCHBOARD_GATEWAY_PORTS": f"127.0.0.1:{GATEWAY_PORT}:8080",
    "SWITCHBOARD_PROXY_PORT": f"127.0.0.1:{PROXY_PORT}",
    "MAIL_UI_PORT": f"127.0.0.1:{MAIL_PORT}",
    "SWITCHBOARD_INBOUND_SECRET": uuid.uuid4().hex,
    "SWITCHBOARD_OFFLINE_PER_ADDRESS": "4",
    # The load loops are many visitors from one address (127.0.0.1).
    "SWITCHBOARD_CHAT_STARTS_PER_ADDRESS": "100000",
    "SWITCHBOARD_WAITING_PER_ADDRESS": "100000",
    "SWITCHBOARD_VISITOR_MESSAGES_PER_MINUTE": "100000",
    "SWITCHBOARD_MAIL_RETRY_MS": "500",
}


def compose(*arguments, env=None, check=True, timeout=1200):
    """docker-compose in the project's folder with the test's settings (plus `env`)."""
    environment = {**os.environ, **ENVIRONMENT, **(env or {})}
    started = time.monotonic()
    result = subprocess.run(["docker-compose", "-p", PROJECT, *arguments], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        # What the containers said (a one-shot `migrate` that failed says why only in its log).
        logs = subprocess.run(["docker-compose", "-p", PROJECT, "--profile", "dev", "logs", "--no-color", "--tail", "40"],
                              cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120).stdout
        raise AssertionError(f"docker-compose {' '.join(arguments)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}\n"
                             f"logs:\n{logs}")
    result.seconds = time.monotonic() - started
    return result


def docker(*arguments, check=True):
    result = subprocess.run(["docker", *arguments], capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"docker {' '.join(arguments)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result.stdout.strip()


def containers(service):
    """The running containers of one compose service, by name."""
    names = docker("ps", "--filter", f"label=com.docker.compose.project={PROJECT}",
                   "--filter", f"label=com.docker.compose.service={service}", "--format", "{{.Names}}")
    return sorted(names.split()) if names else []


def inspect(container, template):
    return docker("inspect", "-f", template, container)


def call(method, path, body=None, token=None, port=None, headers=None, timeout=30):
    """One HTTP request to the published port: (status, decoded JSON body or text, headers)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port or GATEWAY_PORT}{path}", data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw, answer_headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, answer_headers = error.code, error.read(), error.headers
    text = raw.decode("utf-8", "replace")
    try:
        return status, json.loads(text) if text else None, answer_headers
    except json.JSONDecodeError:
        return status, text, answer_headers


def wait_for(what, probe, deadline_seconds=180, every=0.5):
    """Polls `probe` until it returns something true; fails naming `what` after the deadline."""
    deadline = time.monotonic() + deadline_seconds
    last = None
    while time.monotonic() < deadline:
        try:
            last = probe()
            if last:
                return last
        except (OSError, urllib.error.URLError, ConnectionError) as error:
            last = error
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}; last: {last}")


def ready(port=None):
    status, body, _ = call("GET", "/readyz", port=port, timeout=5)
    return body if status == 200 and isinstance(body, dict) and body.get("ready") else None


def login(port=None):
    status, body, _ = call("POST", "/api/v1/auth/login", {"email": ADMIN[0], "password": ADMIN[1]}, port=port)
    assert status == 200, body
    return body["token"]


def start_chat(name, port=None, message=None):
    body = {"name": name, "client_message_id": str(uuid.uuid4())}
    if message:
        body["message"] = message
    status, answer, _ = call("POST", "/api/v1/visitor/conversations", body, port=port)
    assert status == 201, answer
    return answer["visitor_token"], answer["conversation"]["id"]


def visitor_messages(token, conversation, port=None):
    found, after = [], 0
    while True:
        status, page, _ = call("GET", f"/api/v1/visitor/conversations/{conversation}/messages?after_seq={after}", token=token, port=port)
        assert status == 200, page
        items = page["items"]
        if not items:
            return found
        found += items
        after = items[-1]["seq"]


class Load:
    """Visitor messages sent from a few threads while something breaks, as the widget sends them:
    each with its own client_message_id, retried with the same id after a 503 or a dropped
    connection until acknowledged or the deadline passes. Bounded: `count` messages, `seconds`."""

    def __init__(self, token, conversation, count, seconds, threads=4):
        self.token, self.conversation = token, conversation
        self.pending = [str(uuid.uuid4()) for _ in range(count)]
        self.deadline = time.monotonic() + seconds
        self.acknowledged, self.statuses, self.lock = [], {}, threading.Lock()
        self.threads = [threading.Thread(target=self.send, daemon=True) for _ in range(threads)]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def send(self):
        while time.monotonic() < self.deadline:
            with self.lock:
                if not self.pending:
                    return
                client_id = self.pending.pop()
            while time.monotonic() < self.deadline:
                try:
                    status, _, _ = call("POST", f"/api/v1/visitor/conversations/{self.conversation}/messages",
                                        {"body": f"load {client_id}", "client_message_id": client_id}, token=self.token, timeout=15)
                except (OSError, urllib.error.URLError):
                    status = "connection"
                with self.lock:
                    self.statuses[status] = self.statuses.get(status, 0) + 1
                if status in (200, 201):
                    with self.lock:
                        self.acknowledged.append(client_id)
                    break
                time.sleep(0.2)

    def wait(self):
        for thread in self.threads:
            thread.join(max(0.0, self.deadline - time.monotonic()) + 20)
        return self

    def __exit__(self, *_):
        self.wait()

    def check_nothing_lost(self, allowed=(200, 201, 503, "connection")):
        assert set(self.statuses) <= set(allowed), f"only documented answers: {self.statuses}"
        assert self.acknowledged, f"some messages were acknowledged: {self.statuses}"
        messages = visitor_messages(self.token, self.conversation)
        stored = [m["client_message_id"] for m in messages if m.get("client_message_id")]
        missing = set(self.acknowledged) - set(stored)
        assert not missing, f"{len(missing)} acknowledged messages were lost"
        assert len(stored) == len(set(stored)), "a retried message was stored twice"
        seqs = [m["seq"] for m in messages]
        assert seqs == list(range(1, len(seqs) + 1)), "seq runs 1, 2, 3… with no gap"


def memory(service):
    """Resident memory of each running container of `service`, in MiB (docker stats)."""
    names = containers(service)
    if not names:
        return []
    lines = docker("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}", *names).splitlines()
    units = {"B": 1 / 2**20, "KiB": 1 / 1024, "MiB": 1, "GiB": 1024}
    values = []
    for line in lines:
        number, unit = re.match(r"\S+ ([\d.]+)(\w+)", line).groups()
        values.append(round(float(number) * units[unit], 1))
    return values


@pytest.fixture(scope="module", autouse=True)
def stack():
    compose("--profile", "dev", "--profile", "proxy", "down", "-v", "--remove-orphans", check=False)
    yield
    # The measured figures (docs/operations.md quotes them), kept whether or not a step failed.
    os.makedirs(os.path.join(ROOT, ".build"), exist_ok=True)
    with open(os.path.join(ROOT, ".build", "compose-figures.json"), "w") as figures:
        figures.write(json.dumps(FIGURES, indent=2) + "\n")
    print("\nfigures:", json.dumps(FIGURES, indent=2))
    compose("--profile", "dev", "--profile", "proxy", "logs", "--no-color", "--tail", "30", check=False)
    compose("--profile", "dev", "--profile", "proxy", "down", "-v", "--remove-orphans", check=False)


def test_the_image_builds_small_and_runs_as_10001():
    built = compose("build", "--force-rm", "gateway")
    FIGURES["build_seconds"] = round(built.seconds, 1)
    size = int(docker("image", "inspect", "-f", "{{.Size}}", "switchboard:latest"))
    FIGURES["image_mb"] = round(size / 1e6, 1)
    # At most 200 MB (docs/operations.md says where it goes).
    assert size <= 200_000_000, f"the image is {size / 1e6:.0f} MB"
    identity = docker("run", "--rm", "--entrypoint", "id", "switchboard:latest")
    assert identity.startswith("uid=10001(switchboard) gid=10001(switchboard)"), identity
    # Each executable starts on the shared runtime (every library found) and knows its commands.
    for service in ["gateway", "conversation", "pool", "ticketing", "notification"]:
        missing = docker("run", "--rm", "--entrypoint", "sh", "switchboard:latest", "-c",
                         f"ldd /usr/local/bin/switchboard-{service} | grep 'not found' || true")
        assert missing == "", missing
        usage = subprocess.run(["docker", "run", "--rm", "switchboard:latest", f"switchboard-{service}", "--help"],
                               capture_output=True, text=True, timeout=60)
        assert usage.returncode == 0 and "usage:" in usage.stdout + usage.stderr, usage


def test_a_first_run_without_admin_or_mail_says_so():
    """The headline command with .env.example's empty settings comes up, and says what is missing."""
    compose("up", "-d", env={"SWITCHBOARD_ADMIN_EMAIL": "", "SWITCHBOARD_ADMIN_PASSWORD": "", "SWITCHBOARD_SMTP_URL": ""})
    readiness = wait_for("the stack to be ready", ready)
    codes = sorted(a["code"] for a in readiness["attention"])
    assert codes == ["mail_not_configured", "no_admin"], readiness
    logs = compose("logs", "--no-color", "gateway", "ticketing").stdout
    assert "no admin exists, so nobody can log in" in logs
    assert "SWITCHBOARD_SMTP_URL is not set" in logs
    status, _, _ = call("POST", "/api/v1/auth/login", {"email": ADMIN[0], "password": ADMIN[1]})
    assert status == 401


def test_with_the_settings_made_the_desk_is_whole():
    started = compose("--profile", "dev", "up", "-d",
                      env={"SWITCHBOARD_ADMIN_EMAIL": ADMIN[0], "SWITCHBOARD_ADMIN_PASSWORD": ADMIN[1],
                           "SWITCHBOARD_SMTP_URL": "smtp://mail:1025"})
    FIGURES["up_seconds"] = round(started.seconds, 1)
    readiness = wait_for("the admin and mail to be set", lambda: (r := ready()) and not r["attention"] and r)
    assert readiness["database"] and all(s["healthy"] for s in readiness["services"].values())
    admin = login()

    # Working hours in a named zone (the image carries no tzdata: zones come from the Swift
    # runtime's ICU): open every day from two hours from now, Tokyo time, for an hour.
    status, settings, _ = call("GET", "/api/v1/settings", token=admin)
    assert status == 200, settings
    opens = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=2)).replace(second=0, microsecond=0)
    tokyo = datetime.timezone(datetime.timedelta(hours=9))  # Japan keeps no daylight saving
    start = opens.astimezone(tokyo)
    window = [start.strftime("%H:%M"), (start + datetime.timedelta(hours=1)).strftime("%H:%M")]
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    hours = {"timezone": "Asia/Tokyo", "weekly": {day: [window] for day in days}, "holidays": [], "closures": []}
    status, body, _ = call("PUT", "/api/v1/settings", {**settings, "working_hours": hours}, token=admin)
    assert status == 200, body
    status, widget, _ = call("GET", "/api/v1/widget/status")
    assert status == 200 and widget["open"] is False, widget
    assert datetime.datetime.fromisoformat(widget["next_open_at"].replace("Z", "+00:00")) == opens, (widget, opens)
    status, body, _ = call("PUT", "/api/v1/settings", settings, token=admin)
    assert status == 200, body


def chat_story(port=None):
    """A customer and an operator through one chat, to the Archive; the conversation id."""
    status, widget, _ = call("GET", "/api/v1/widget/status", port=port)
    assert status == 200 and widget["open"], widget
    visitor, conversation = start_chat("Ayşe Yılmaz", port=port, message="Merhaba, siparişim nerede?")
    operator = login(port)
    status, _, _ = call("PUT", "/api/v1/me/availability", {"available": True}, token=operator, port=port)
    assert status == 200

    def in_pool():
        status, pool, _ = call("GET", "/api/v1/pool", token=operator, port=port)
        items = pool["items"]
        return status == 200 and any(item["id"] == conversation for item in items)

    wait_for("the chat in the Pool", in_pool, 30)
    status, taken, _ = call("POST", f"/api/v1/pool/{conversation}/take", token=operator, port=port)
    assert status == 200 and taken["conversation"]["status"] == "assigned", taken
    status, _, _ = call("POST", f"/api/v1/conversations/{conversation}/messages",
                        {"body": "Kargoda, yarın elinizde.", "client_message_id": str(uuid.uuid4())}, token=operator, port=port)
    assert status == 201
    bodies = [m["body"] for m in visitor_messages(visitor, conversation, port)]
    assert bodies[1:] == ["Merhaba, siparişim nerede?", "Kargoda, yarın elinizde."], bodies
    status, closed, _ = call("POST", f"/api/v1/conversations/{conversation}/close", token=operator, port=port)
    assert status == 200 and closed.get("conversation", closed)["status"] == "closed", closed
    status, archive, _ = call("GET", "/api/v1/archive?q=sipari%C5%9Fim", token=operator, port=port)
    assert status == 200 and conversation in [item["id"] for item in archive["items"]], archive
    return conversation


def caught_mail():
    """What the dev profile's catcher holds: its page's rows."""
    with urllib.request.urlopen(f"http://127.0.0.1:{MAIL_PORT}/", timeout=10) as page:
        return page.read().decode()


def test_the_chat_story_and_an_offline_message_through_the_published_port():
    FIGURES["archived"] = chat_story()
    address = f"customer-{uuid.uuid4().hex[:8]}@example.net"
    status, left, _ = call("POST", "/api/v1/visitor/offline-messages",
                           {"name": "Can", "email": address, "message": "Faturamı e-postayla alabilir miyim?"})
    assert status == 201, left
    number = left["ticket"]["number"]
    wait_for("the acknowledgement in the mail catcher", lambda: address in caught_mail() and f"#{number}" in caught_mail(), 60)


def instances(service):
    readiness = wait_for("readiness", ready, 60)
    return set(readiness["services"][service]["instances"])


def served(service):
    """Requests each instance of `service` has answered, from the cell's /metrics."""
    status, text, _ = call("GET", "/metrics")
    assert status == 200
    counts = {}
    for line in text.splitlines():
        if line.startswith("rpc_server_requests_total{") and f'service="{service}"' in line:
            instance = re.search(r'instance="([^"]+)"', line).group(1)
            counts[instance] = counts.get(instance, 0) + float(line.rsplit(" ", 1)[1])
    return counts


def test_scaling_adds_replicas_that_get_traffic_without_restarting_the_gateway():
    gateway = containers("gateway")[0]
    gateway_started = inspect(gateway, "{{.State.StartedAt}}")
    compose("--profile", "dev", "up", "-d", "--no-recreate", "--scale", "conversation=3", "--scale", "pool=2")
    wait_for("3 conversation and 2 pool instances", lambda: len(instances("conversation")) == 3 and len(instances("pool")) == 2, 120)
    before = served("conversation")
    visitor, conversation = start_chat("Scale")
    with Load(visitor, conversation, count=60, seconds=60) as load:
        pass
    load.check_nothing_lost(allowed=(201,))
    after = served("conversation")
    grew = [name for name in after if after[name] > before.get(name, 0)]
    assert len(grew) == 3, f"every conversation replica answered some calls: {before} -> {after}"
    assert inspect(gateway, "{{.State.StartedAt}}") == gateway_started, "the gateway was not restarted"
    FIGURES["memory_mib_idle"] = {s: memory(s) for s in ["gateway", "conversation", "pool", "ticketing", "notification", "postgres"]}


def test_a_replica_killed_under_load_loses_nothing_and_comes_back():
    victim = containers("conversation")[0]
    restarts = int(inspect(victim, "{{.RestartCount}}"))
    pid = inspect(victim, "{{.State.Pid}}")
    visitor, conversation = start_chat("Kill")
    with Load(visitor, conversation, count=300, seconds=90) as load:
        wait_for("some load", lambda: len(load.acknowledged) >= 30, 30, every=0.05)
        FIGURES["memory_mib_under_load"] = {s: memory(s) for s in ["gateway", "conversation", "pool", "notification", "postgres"]}
        os.kill(int(pid), 9)  # the process, as a crash would: `docker kill` is a manual stop
    load.check_nothing_lost()
    wait_for("the killed replica restarted", lambda: int(inspect(victim, "{{.RestartCount}}")) > restarts, 60)
    wait_for("the killed replica healthy again", lambda: inspect(victim, "{{.State.Health.Status}}") == "healthy", 90)
    assert len(load.acknowledged) == 300, f"every message got through in the end: {load.statuses}"


def test_restarting_postgres_under_load_gives_only_503s_and_loses_nothing():
    visitor, conversation = start_chat("Postgres")
    with Load(visitor, conversation, count=200, seconds=150) as load:
        wait_for("some load", lambda: len(load.acknowledged) >= 20, 30, every=0.05)
        compose("restart", "postgres")
    load.check_nothing_lost()
    assert len(load.acknowledged) == 200, f"every message got through in the end: {load.statuses}"
    FIGURES["postgres_restart_statuses"] = {str(k): v for k, v in load.statuses.items()}
    wait_for("ready after the restart", ready, 120)


def test_down_and_up_keeps_the_data_and_the_replica_counts():
    archived = FIGURES["archived"]
    replicas = {"SWITCHBOARD_CONVERSATION_REPLICAS": "2", "SWITCHBOARD_POOL_REPLICAS": "2"}
    compose("--profile", "dev", "down", env=replicas)
    compose("--profile", "dev", "up", "-d", env=replicas)
    wait_for("2 conversation and 2 pool instances", lambda: len(instances("conversation")) == 2 and len(instances("pool")) == 2, 180)
    # A plain `up -d` later, with the counts in .env, keeps them.
    compose("--profile", "dev", "up", "-d", env=replicas)
    assert len(containers("conversation")) == 2 and len(containers("pool")) == 2
    status, conversation, _ = call("GET", f"/api/v1/conversations/{archived}", token=login())
    assert status == 200 and conversation["status"] == "closed", conversation


def test_several_gateways_behind_the_proxy_serve_one_port():
    env = {"SWITCHBOARD_GATEWAY_PORTS": "127.0.0.1::8080"}
    compose("--profile", "dev", "--profile", "proxy", "up", "-d", "--scale", "gateway=3", env=env)
    wait_for("the proxy ready", lambda: ready(PROXY_PORT), 180)
    # Each gateway trusts the proxy once it has looked its name up (every second until it resolves).
    wait_for("the gateways trusting the proxy", lambda: all(
        "trusted proxies resolved" in subprocess.run(["docker", "logs", name], capture_output=True, text=True, timeout=60).stderr
        for name in containers("gateway")), 60)

    def gateways_seen():
        seen = set()
        for _ in range(30):
            status, text, _ = call("GET", "/metrics", port=PROXY_PORT)
            if status == 200:
                seen |= set(re.findall(r'service="gateway",instance="([^"]+)"', text))
        return len(seen) == 3 and seen

    wait_for("requests spread over the 3 gateways", gateways_seen, 60)
    chat_story(PROXY_PORT)

    # A live stream through the proxy: the visitor sees the operator's reply.
    visitor, conversation = start_chat("Stream", port=PROXY_PORT)
    stream = websocket.create_connection(f"ws://127.0.0.1:{PROXY_PORT}/api/v1/visitor/stream",
                                         header=[f"Authorization: Bearer {visitor}"], timeout=30)
    try:
        operator = login(PROXY_PORT)
        call("PUT", "/api/v1/me/availability", {"available": True}, token=operator, port=PROXY_PORT)
        wait_for("the take", lambda: call("POST", f"/api/v1/pool/{conversation}/take", token=operator, port=PROXY_PORT)[0] == 200, 30)
        status, _, _ = call("POST", f"/api/v1/conversations/{conversation}/messages",
                            {"body": "Through the proxy", "client_message_id": str(uuid.uuid4())}, token=operator, port=PROXY_PORT)
        assert status == 201
        deadline = time.monotonic() + 30
        bodies = []
        while time.monotonic() < deadline and "Through the proxy" not in bodies:
            frame = json.loads(stream.recv())
            if frame.get("type") == "message.created":
                bodies.append(frame["data"]["body"])
        assert "Through the proxy" in bodies
    finally:
        stream.close()

    # Limits key on the client the proxy names, and a forged X-Forwarded-For changes nothing:
    # this host gets at most SWITCHBOARD_OFFLINE_PER_ADDRESS (4) offline messages an hour
    # whatever it claims (fewer if the earlier test's message came from the same bridge address)...
    def leave(index):
        return call("POST", "/api/v1/visitor/offline-messages",
                    {"name": "Limit", "email": f"limit-{index}-{uuid.uuid4().hex[:6]}@example.net", "message": "hello"},
                    port=PROXY_PORT, headers={"X-Forwarded-For": f"203.0.113.{index}"})[0]

    statuses = [leave(index) for index in range(6)]
    accepted = statuses.count(201)
    assert 1 <= accepted <= 4 and statuses == [201] * accepted + [429] * (6 - accepted), statuses
    # ...while another client behind the same proxy (the mail catcher's container) is not limited.
    other = docker("exec", containers("mail")[0], "python3", "-c",
                   "import json, urllib.request as u; r = u.Request('http://proxy:8080/api/v1/visitor/offline-messages', "
                   "data=json.dumps({'name': 'Other', 'email': 'other@example.net', 'message': 'hi'}).encode(), "
                   "headers={'Content-Type': 'application/json'}); print(u.urlopen(r, timeout=20).status)")
    assert other == "201", other
