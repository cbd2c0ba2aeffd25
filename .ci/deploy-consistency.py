"""Consistency checks of deploy/ against the Swift sources, beyond what the schema validators see.

Run by .ci/check-deploy with the deploy venv's Python (it has PyYAML):
  python .ci/deploy-consistency.py [--bin PATH]

1. The ACL script's topic list is the topic catalog (Sources/Events/TopicCatalog.swift).
2. Every key of every role configuration file (compose and k8s) is in the configuration schema
   (Sources/Service/Configuration/InboxwatchSchema.swift), and none holds a secret;
   deploy/README.md's yaml examples count as role files too.
3. Every file a role configuration names is there in the container that reads it: a worker checks
   them all at start, so a path that is not mounted stops it.
4. Compose and kustomization references resolve; correlator replicas <= keyed partitions.
5. With a built binary (--bin): every subcommand and flag used in compose, k8s, the trial setup
   and deploy/README.md's code blocks exists (`inboxwatch SUBCOMMAND --help`), and
   `inboxwatch config check` accepts every role file (its paths pointed at stand-in files).
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEPLOY = os.path.join(ROOT, "deploy")
problems = []


def fail(message):
    problems.append(message)


def read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as handle:
        return handle.read()


# 1. Topic catalog <-> ACL script -------------------------------------------------------------
catalog = set(re.findall(r'\bname\("([^"]+)"\)', read("Sources", "Events", "TopicCatalog.swift")))
acls = read("deploy", "kafka-acls.sh")
listed = re.search(r"^TOPICS=\(\n(.*?)^\)", acls, re.M | re.S)
acl_topics = set(listed.group(1).split()) if listed else set()
if not catalog:
    fail("no topic names found in Sources/Events/TopicCatalog.swift (name(\"...\"))")
for topic in sorted(catalog - acl_topics):
    fail(f"deploy/kafka-acls.sh: catalog topic {topic} is missing from TOPICS (grant its readers and writers)")
for topic in sorted(acl_topics - catalog):
    fail(f"deploy/kafka-acls.sh: TOPICS lists {topic}, which the topic catalog does not define")
granted = set()
for call in re.findall(r'^topics "\$\w+" \w+ ((?:[^\n]*\\\n)*[^\n]*)', acls, re.M):
    granted |= set(call.replace("\\\n", " ").split())
for topic in sorted(catalog - granted):
    fail(f"deploy/kafka-acls.sh: no principal is granted anything on catalog topic {topic}")

# 2. Role files against the configuration schema ----------------------------------------------
schema = read("Sources", "Service", "Configuration", "InboxwatchSchema.swift")
patterns = set(re.findall(r'ConfigKeySpec\(\s*"([^"\\]+)"', schema))
suffixes = re.findall(r'ConfigKeySpec\(\s*"\\\(prefix\)\.(\w+)"', schema)
for prefix in re.findall(r'credentials\("([^"]+)"', schema):
    patterns |= {f"{prefix}.{suffix}" for suffix in suffixes}
if len(patterns) < 20:
    fail(f"only {len(patterns)} keys read from InboxwatchSchema.swift: the extraction needs updating")


def matches(pattern, key):
    p, k = pattern.split("."), key.split(".")
    if p[-1] == "**":
        return len(k) > len(p) - 1 and all(a in ("*", b) for a, b in zip(p[:-1], k))
    return len(p) == len(k) and all(a in ("*", b) for a, b in zip(p, k))


def flatten(value, prefix=""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from flatten(item, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, value


def looks_secret(key):
    # Mirrors ConfigFile.looksSecret: such keys are refused in a file.
    if key == "kafka.saslPassword" or key.endswith(".clientSecret"):
        return True
    if not key.startswith("kafka.properties."):
        return False
    prop = key[len("kafka.properties."):].lower()
    if prop.endswith(".url"):  # an endpoint's address (sasl.oauthbearer.token.endpoint.url)
        return False
    return any(w in prop for w in ("password", "secret", "token", "sasl.oauthbearer.config")) or prop.endswith(
        ("key.pem", "jaas.config"))


def check_role_file(where, text):
    try:
        document = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        fail(f"{where}: not YAML: {error}")
        return {}
    keys = dict(flatten(document))
    for key in keys:
        if not any(matches(p, key) for p in patterns):
            fail(f"{where}: {key} is not a configuration key (InboxwatchSchema.swift, config.example.yaml)")
        if looks_secret(key):
            fail(f"{where}: {key} holds a secret; use a …File key or the environment")
    return keys


def paths_in(keys):
    """Absolute file paths a role file names, with their keys."""
    return {k: v for k, v in keys.items() if isinstance(v, str) and v.startswith("/")}


role_files = {}  # where -> (text, keys)

# README examples: each ```yaml block is a configuration a reader may copy.
for index, block in enumerate(re.findall(r"^```yaml\n(.*?)^```", read("deploy", "README.md"), re.M | re.S)):
    where = f"deploy/README.md yaml block {index + 1}"
    role_files[where] = (block, check_role_file(where, block), None)

# 3a. Compose ---------------------------------------------------------------------------------
compose = yaml.safe_load(read("deploy", "compose.yaml"))
services = compose.get("services", {})
top_secrets = set((compose.get("secrets") or {}).keys())
top_volumes = set((compose.get("volumes") or {}).keys())
trial_script = read("deploy", "compose", "trial-setup.sh")
trial_written = set(re.findall(r'>"\$out/([\w.-]+)"', trial_script)) | set(
    re.findall(r'--out "\$out/([\w.-]+)"', trial_script))
for name in sorted(set(re.findall(r"\$etc/([\w.-]+)", trial_script)) - trial_written):
    fail(f"deploy/compose/trial-setup.sh: a configuration names $etc/{name}, which the script never writes")


def config_arg(command):
    return command[command.index("--config") + 1] if "--config" in command else None


compose_commands = []
for name, service in services.items():
    command = service.get("command") or []
    if isinstance(command, str):
        command = shlex.split(command)
    if "entrypoint" not in service and command:
        compose_commands.append((f"compose service {name}", command))
    for secret in service.get("secrets", []):
        source = secret if isinstance(secret, str) else secret.get("source")
        if source not in top_secrets:
            fail(f"deploy/compose.yaml: service {name} uses secret {source}, which is not defined")
    mounts = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if not source.startswith((".", "/")) and source not in top_volumes:
            fail(f"deploy/compose.yaml: service {name} mounts volume {source}, which is not defined")
        mounts[target] = source
    config = config_arg(command)
    if not config:
        continue
    directory, file = os.path.split(config)
    source = mounts.get(directory)
    if source is None:
        fail(f"deploy/compose.yaml: service {name} reads {config} but mounts nothing at {directory}")
        continue
    if source == "trial":
        if file not in trial_written:
            fail(f"deploy/compose.yaml: service {name} reads {config}; trial-setup.sh does not write {file}")
        continue
    local = os.path.normpath(os.path.join(DEPLOY, source, file))
    where = os.path.relpath(local, ROOT)
    if not os.path.exists(local):
        fail(f"deploy/compose.yaml: service {name} reads {config}, but {where} does not exist")
        continue
    text = open(local, encoding="utf-8").read()
    keys = check_role_file(where, text)
    role_files[where] = (text, keys, os.path.dirname(local))
    names = {s if isinstance(s, str) else s.get("source") for s in service.get("secrets", [])}
    for key, path in paths_in(keys).items():
        if path.startswith("/run/secrets/"):
            if path[len("/run/secrets/"):] not in names:
                fail(f"{where}: {key} is {path}, but service {name} is not given secret {path[13:]}")
        elif path.startswith(directory + "/"):
            inside = path[len(directory) + 1:]
            if not os.path.exists(os.path.join(DEPLOY, source, inside)) and not inside.startswith("keys/"):
                fail(f"{where}: {key} is {path}, but {source}/{inside} does not exist")
        else:
            fail(f"{where}: {key} is {path}, which service {name} does not mount")

partitions = {}
for name, service in services.items():
    command = service.get("command") or []
    if command[:2] == ["topics", "create"] and "--partitions" in command:
        partitions["compose"] = int(command[command.index("--partitions") + 1])
for name, service in services.items():
    replicas = (service.get("deploy") or {}).get("replicas", 1)
    if (service.get("command") or [None])[0] == "correlate" and replicas > partitions.get("compose", 6):
        fail(f"deploy/compose.yaml: {name} has {replicas} replicas, more than the keyed partitions")

# 3b. Kubernetes ------------------------------------------------------------------------------
k8s_dir = os.path.join(DEPLOY, "k8s")
documents = []
for file in sorted(os.listdir(k8s_dir)):
    if file.endswith(".yaml") and file != "kustomization.yaml":
        for document in yaml.safe_load_all(read("deploy", "k8s", file)):
            if document:
                documents.append((file, document))
kustomization = yaml.safe_load(read("deploy", "k8s", "kustomization.yaml"))
kustomization_text = read("deploy", "k8s", "kustomization.yaml")
for resource in kustomization.get("resources", []):
    if not os.path.exists(os.path.join(k8s_dir, resource)):
        fail(f"deploy/k8s/kustomization.yaml: resource {resource} does not exist")
for file in sorted({f for f, _ in documents} - set(kustomization.get("resources", []))):
    if file not in kustomization_text:
        fail(f"deploy/k8s/{file} is neither a kustomization resource nor named there as optional")

configmaps = {d["metadata"]["name"]: d.get("data", {}) for _, d in documents if d.get("kind") == "ConfigMap"}
secret_keys = {d["metadata"]["name"]: set((d.get("stringData") or {}) | (d.get("data") or {}))
               for _, d in documents if d.get("kind") == "Secret"}
for data_key, text in configmaps.get("inboxwatch-config", {}).items():
    if data_key.endswith(".yaml"):
        where = f"deploy/k8s/configmap.yaml [{data_key}]"
        role_files[where] = (text, check_role_file(where, text), None)
    elif data_key.endswith(".json"):
        try:
            json.loads(text)
        except ValueError as error:
            fail(f"deploy/k8s/configmap.yaml [{data_key}]: not JSON: {error}")

for file, document in documents:
    for container in ((document.get("spec", {}).get("template") or {}).get("spec") or {}).get("containers", []):
        args = container.get("args", [])
        if args[:2] == ["topics", "create"] and "--partitions" in args:
            partitions["k8s"] = int(args[args.index("--partitions") + 1])
k8s_commands = []
for file, document in documents:
    spec = document.get("spec", {})
    pod = (spec.get("template") or {}).get("spec")
    if not pod:
        continue
    if document["kind"] == "Deployment" and (document["metadata"]["name"].endswith("correlate")):
        if spec.get("replicas", 1) > partitions.get("k8s", 6):
            fail(f"deploy/k8s/{file}: {spec['replicas']} correlator replicas exceed the keyed partitions")
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for container in pod.get("containers", []):
        args = container.get("args", [])
        k8s_commands.append((f"deploy/k8s/{file} {container['name']}", args))
        provided = {}  # absolute path -> what provides it
        for mount in container.get("volumeMounts", []):
            volume = volumes.get(mount["name"])
            if volume is None:
                fail(f"deploy/k8s/{file}: {container['name']} mounts undefined volume {mount['name']}")
                continue
            base = mount["mountPath"].rstrip("/")
            if "configMap" in volume:
                name = volume["configMap"]["name"]
                items = volume["configMap"].get("items")
                if items is not None:
                    for item in items:
                        if item["key"] not in configmaps.get(name, {}):
                            fail(f"deploy/k8s/{file}: ConfigMap {name} has no key {item['key']}")
                        provided[f"{base}/{item['path']}"] = (name, item["key"])
                elif name in configmaps:
                    for key in configmaps[name]:
                        provided[f"{base}/{key}"] = (name, key)
                else:
                    provided[base + "/"] = ("user ConfigMap", name)  # created by the operator (README)
            elif "secret" in volume:
                name = volume["secret"]["secretName"]
                for key in secret_keys.get(name, set()):
                    provided[f"{base}/{key}"] = ("Secret", name)
                if name not in secret_keys:
                    fail(f"deploy/k8s/{file}: Secret {name} is not in secret.example.yaml (document its keys)")
        config = config_arg(args)
        if not config:
            continue
        if config not in provided or provided[config][0] != "inboxwatch-config":
            fail(f"deploy/k8s/{file}: {container['name']} reads {config}, not mounted from inboxwatch-config")
            continue
        where = f"deploy/k8s/configmap.yaml [{provided[config][1]}]"
        for key, path in paths_in(role_files[where][1]).items():
            if path not in provided and not any(p.endswith("/") and path.startswith(p) for p in provided):
                fail(f"{where}: {key} is {path}, which {file} ({container['name']}) does not mount")

# 5. The binary: subcommands, flags, and config check -----------------------------------------
parser = argparse.ArgumentParser()
parser.add_argument("--bin")
arguments = parser.parse_args()
trial_commands = [("deploy/compose/trial-setup.sh", shlex.split(line.split("inboxwatch", 1)[1].split(">")[0]))
                  for line in trial_script.splitlines() if re.match(r"\s*inboxwatch ", line)]


def readme_commands():
    """inboxwatch command lines in deploy/README.md's code blocks: after the binary's name, after
    `docker compose ... run [options] SERVICE`, or after the image in `docker run`."""
    found, block, logical = [], False, ""
    for line in read("deploy", "README.md").splitlines():
        if line.strip().startswith("```"):
            block = not block
            continue
        if not block:
            continue
        logical += line.rstrip("\\") + " "
        if line.endswith("\\"):
            continue
        try:
            tokens = shlex.split(logical, comments=True)
        except ValueError:
            tokens = []
        logical = ""
        start = None
        binary = [i for i, t in enumerate(tokens) if t == "inboxwatch" and (i == 0 or tokens[i - 1] == "--")]
        if binary:
            start = binary[0] + 1
        elif tokens[:2] == ["docker", "compose"] and "run" in tokens:
            start = tokens.index("run") + 1
            while start < len(tokens) and tokens[start].startswith("-"):
                start += 1
            start += 1  # the service
        elif tokens[:2] == ["docker", "run"]:
            start = next((i + 1 for i, t in enumerate(tokens) if t.startswith("inboxwatch:")), None)
        if start is None:
            continue
        command = []
        for token in tokens[start:]:
            if token in ("|", "&&", ";") or token.startswith(">"):
                break
            command.append(token)
        if command:
            found.append(("deploy/README.md", command))
    return found


if arguments.bin:
    helps = {}
    for where, command in compose_commands + k8s_commands + trial_commands + readme_commands():
        path = []
        for token in command:
            if token.startswith("-"):
                break
            path.append(token)
        key = tuple(path)
        if key not in helps:
            run = subprocess.run([arguments.bin, *path, "--help"], capture_output=True, text=True)
            helps[key] = run.stdout + run.stderr if run.returncode == 0 else None
            if run.returncode != 0:
                fail(f"{where}: `inboxwatch {' '.join(path)} --help` failed: {run.stderr.strip()[:200]}")
        if helps[key] is None:
            continue
        for token in command:
            flag = token.split("=", 1)[0]
            if flag.startswith("--") and not re.search(re.escape(flag) + r"(?![\w-])", helps[key]):
                fail(f"{where}: inboxwatch {' '.join(path)} has no option {flag}")
    with tempfile.TemporaryDirectory() as scratch:
        signing = os.path.join(scratch, "signing.key")
        public = subprocess.run([arguments.bin, "keys", "generate", "--out", signing],
                                capture_output=True, text=True, check=True).stdout
        k8s_policy = configmaps.get("inboxwatch-config", {}).get("action-policy.json")
        for index, (where, (text, keys, directory)) in enumerate(sorted(role_files.items())):
            stand_ins = {}
            for key, path in paths_in(keys).items():
                stand_in = os.path.join(scratch, f"{index}-{len(stand_ins)}")
                local = os.path.join(directory, os.path.basename(path)) if directory else None
                if key == "actionWorker.policy":
                    content = open(local).read() if local and os.path.exists(local) else k8s_policy
                elif key.startswith("actionWorker.trustedKeys."):
                    content = public
                elif key == "correlator.signingKeyFile":
                    content = open(signing).read()
                else:
                    content = "stand-in\n"  # a secret: only its presence is checked
                with open(stand_in, "w") as handle:
                    handle.write(content)
                stand_ins[path] = stand_in
            for path, stand_in in stand_ins.items():
                text = re.sub(r"(?<=[\s:])" + re.escape(path) + r"(?=\s|$)", stand_in, text)
            candidate = os.path.join(scratch, f"{index}.yaml")
            with open(candidate, "w") as handle:
                handle.write(text)
            run = subprocess.run([arguments.bin, "config", "check", candidate], capture_output=True, text=True,
                                 env={k: v for k, v in os.environ.items() if not k.startswith("INBOXWATCH_")})
            if run.returncode != 0:
                fail(f"{where}: inboxwatch config check fails:\n{run.stderr.strip()}")
    print(f"deploy-consistency: flags and config checked with {arguments.bin}")
else:
    print("deploy-consistency: no inboxwatch binary given; subcommand, flag and config-check steps skipped")

if problems:
    for problem in dict.fromkeys(problems):  # in order, once each
        print(f"deploy-consistency: {problem}", file=sys.stderr)
    sys.exit(1)
print(f"deploy-consistency: OK ({len(catalog)} catalog topics in the ACLs, {len(role_files)} role files, "
      f"{len(compose_commands) + len(k8s_commands)} command lines)")
