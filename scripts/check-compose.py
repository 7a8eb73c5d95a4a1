"""Checks the deployment files: docker-compose.yml against the Compose Specification's JSON schema
(when given) and against what scaling Switchboard needs; the Dockerfile's shape; .env.example.

Usage: check-compose.py [--compose docker-compose.yml] [--schema compose-spec.json]
                        [--dockerfile Dockerfile] [--env .env.example]
Prints one line per problem and exits 1 if there is any; prints "ok" and exits 0 otherwise.
"""
import argparse
import json
import re
import sys

import jsonschema
import yaml

BACK = ["conversation", "pool", "ticketing", "notification"]
PROCESSES = ["gateway"] + BACK
RESTARTS = {"always", "unless-stopped", "on-failure"}


def schema_problems(compose, schema_path):
    with open(schema_path) as file:
        schema = json.load(file)
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"schema: {'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
            for error in sorted(validator.iter_errors(compose), key=lambda error: list(map(str, error.absolute_path)))]


def condition(service, on):
    depends = service.get("depends_on") or {}
    if isinstance(depends, list):
        return "service_started" if on in depends else None
    return (depends.get(on) or {}).get("condition", "service_started") if on in depends else None


def compose_problems(compose):
    problems = []
    services = compose.get("services") or {}
    volumes = compose.get("volumes") or {}
    for name in ["postgres", "migrate", *PROCESSES]:
        if name not in services:
            problems.append(f"no `{name}` service")
    if problems:
        return problems

    postgres = services["postgres"]
    if not str(postgres.get("image", "")).startswith("postgres:15"):
        problems.append("postgres: use the postgres:15 image")
    if "healthcheck" not in postgres:
        problems.append("postgres: needs a healthcheck (the others wait for it)")
    data = [v for v in postgres.get("volumes", []) if str(v).endswith(":/var/lib/postgresql/data")]
    if not data or str(data[0]).split(":")[0] not in volumes:
        problems.append("postgres: keep /var/lib/postgresql/data on a named volume")

    migrate = services["migrate"]
    if str(migrate.get("restart", "no")) != "no":
        problems.append("migrate: a one-shot step must not restart")
    if condition(migrate, "postgres") != "service_healthy":
        problems.append("migrate: depends on postgres being service_healthy")

    for name in PROCESSES:
        service = services[name]
        where = f"{name}:"
        if "container_name" in service:
            problems.append(f"{where} no container_name (replicas need their own names)")
        if name in BACK and service.get("ports"):
            problems.append(f"{where} no published ports on a back service (replicas would clash)")
        runtime = (service.get("environment") or {}).get("SWITCHBOARD_RUNTIME_DIR")
        if not runtime:
            problems.append(f"{where} set SWITCHBOARD_RUNTIME_DIR")
        elif f"sockets:{runtime}" not in [str(v) for v in service.get("volumes", [])]:
            problems.append(f"{where} mount the shared `sockets` volume at SWITCHBOARD_RUNTIME_DIR ({runtime})")
        test = " ".join(map(str, (service.get("healthcheck") or {}).get("test", [])))
        if not test:
            problems.append(f"{where} needs a healthcheck")
        elif name in BACK and f"switchboard-{name} health" not in test:
            problems.append(f"{where} the healthcheck calls system.health over the socket: `switchboard-{name} health`")
        if str(service.get("restart", "no")) not in RESTARTS:
            problems.append(f"{where} needs a restart policy ({', '.join(sorted(RESTARTS))})")
        if "stop_grace_period" not in service:
            problems.append(f"{where} needs a stop_grace_period that covers its drain")
        if condition(service, "migrate") != "service_completed_successfully":
            problems.append(f"{where} depends on migrate being service_completed_successfully")

    # A published port may come from a variable: its default is what a plain run gets.
    gateway_ports = [re.sub(r"\$\{[A-Z_0-9]+:-([^}]*)\}", r"\1", str(p)) for p in services["gateway"].get("ports", [])]
    if not any(p.endswith(":8080") for p in gateway_ports):
        problems.append("gateway: publish port 8080")
    if "sockets" not in volumes:
        problems.append("declare the `sockets` volume")
    for name, service in services.items():
        if name not in PROCESSES and name != "postgres" and service.get("ports") and not service.get("profiles"):
            problems.append(f"{name}: a helper that publishes ports belongs behind a profile")
    if "mail" not in services or not services["mail"].get("profiles"):
        problems.append("a `mail` catcher for development, behind a profile")
    return problems


def dockerfile_problems(text):
    problems = []
    stages = re.findall(r"^FROM\s+(\S+)", text, re.MULTILINE)
    if len(stages) < 2:
        problems.append("Dockerfile: build in one stage, run in another")
    elif not re.match(r"swift:6[.\d]*-bookworm$", stages[0].split()[0]):
        problems.append(f"Dockerfile: build on Swift 6 / Debian bookworm, not {stages[0]}")
    elif stages[-1] != "debian:bookworm-slim":
        problems.append(f"Dockerfile: run on debian:bookworm-slim, not {stages[-1]}")
    for package in ["libpq5", "libcurl4"]:
        if not re.search(rf"\b{package}\b", text):
            problems.append(f"Dockerfile: the runtime needs {package}")
    user = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    if not user or user[-1] in ("root", "0"):
        problems.append("Dockerfile: run as a non-root user")
    for name in PROCESSES:
        if f"switchboard-{name}" not in text and "switchboard-$s" not in text and "switchboard-*" not in text:
            problems.append(f"Dockerfile: ship switchboard-{name}")
    joined = text.replace("\\\n", " ")
    for command in re.split(r"&&|;|\n", joined):
        if "swift build" in command and command.count("--product") > 1:
            problems.append("Dockerfile: `swift build` builds only the last of several --product; build each on its own")
    if "Public" not in text:
        problems.append("Dockerfile: ship the web pages (Services/Gateway/Public)")
    return problems


def env_problems(compose_text, env_text):
    used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", compose_text)) - {"SWITCHBOARD_IMAGE"}
    listed = set(re.findall(r"^([A-Z_][A-Z0-9_]*)=", env_text, re.MULTILINE))
    return [f".env.example: list {name} (docker-compose.yml reads it)" for name in sorted(used - listed)] + \
           [f".env.example: {name} is not read by docker-compose.yml" for name in sorted(listed - used)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--compose", default="docker-compose.yml")
    parser.add_argument("--schema")
    parser.add_argument("--dockerfile")
    parser.add_argument("--env")
    arguments = parser.parse_args()
    with open(arguments.compose) as file:
        compose_text = file.read()
    try:
        compose = yaml.safe_load(compose_text)
    except yaml.YAMLError as error:
        print(f"not YAML: {error}")
        sys.exit(1)
    if not isinstance(compose, dict):
        print("not a Compose file: the top level must be a mapping")
        sys.exit(1)
    problems = []
    if arguments.schema:
        problems += schema_problems(compose, arguments.schema)
    problems += compose_problems(compose)
    if arguments.dockerfile:
        with open(arguments.dockerfile) as file:
            problems += dockerfile_problems(file.read())
    if arguments.env:
        with open(arguments.env) as file:
            problems += env_problems(compose_text, file.read())
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
