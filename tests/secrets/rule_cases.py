"""Hand-written examples for every rule in shiftsec's default rule set: `{rule_id: (true_positives, near_misses)}`.

Every true positive must be reported by its rule (the secret group non-empty, above the rule's entropy, not
allow-listed); every near miss (a placeholder, a truncated token, a wrong prefix, a missing context keyword) must
not be. The random parts are generated from a fixed seed, so the examples are stable and no real credential
appears in the repository.
"""

from __future__ import annotations

import base64
import json
import random
import string

_RNG = random.Random(20261123)

A = string.ascii_letters + string.digits  # alphanumeric
H = "0123456789abcdef"  # lower-case hex
U = string.ascii_uppercase + string.digits
L = string.ascii_lowercase + string.digits
LET = string.ascii_letters
URL = A + "_-"  # base64url
B64 = A + "+/"
D = string.digits


def r(n: int, alphabet: str = A) -> str:
    """A deterministic pseudo-random string (never a real credential)."""
    return "".join(_RNG.choice(alphabet) for _ in range(n))


def uuid() -> str:
    return f"{r(8, H)}-{r(4, H)}-{r(4, H)}-{r(4, H)}-{r(12, H)}"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def b64url(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def pem(label: str, headers: str = "") -> str:
    body = r(256, B64)
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN {label}-----\n{headers}{lines}\n-----END {label}-----\n"


def pem_stub(label: str) -> str:
    return f"-----BEGIN {label}-----\n...\n-----END {label}-----"


def ctx(name: str, value: str) -> str:
    """`NAME = "value"` as in a .env / Python / shell file."""
    return f'{name} = "{value}"'


JWT = f"{b64url({'alg': 'HS256', 'typ': 'JWT'})}.{b64url({'sub': r(12), 'iat': 1700000000})}.{r(43, URL)}"

Cases = dict[str, tuple[list[str], list[str]]]

CASES: Cases = {
    # ---------------------------------------------------------------- cloud
    "aws-access-key-id": (
        [
            f"aws_access_key_id = AKIA{r(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}",
            f"ASIA{r(16, 'QWERTYUIOPASDFGHJKLZXCVBNM234567')}",
        ],
        ["aws_access_key_id = AKIAIOSFODNN7EXAMPLE", f"AKIA{r(15, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')}"],
    ),
    "aws-secret-access-key": (
        [ctx("AWS_SECRET_ACCESS_KEY", r(40, B64)), f"aws_secret_key: {r(40, B64)}"],
        # AWS documentation's example secret key is no secret
        [
            ctx("AWS_SECRET_ACCESS_KEY", "x" * 40),
            ctx("SECRET", r(40, B64)),
            "aws_secret_access_key = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'",
        ],
    ),
    "aws-session-token": ([ctx("AWS_SESSION_TOKEN", r(320, B64))], [ctx("AWS_SESSION_TOKEN", r(60, B64))]),
    "aws-bedrock-api-key-long-lived": ([f"ABSK{r(130, B64)}"], [f"ABSK{r(50, B64)}"]),
    "aws-bedrock-api-key-short-lived": (
        [f"bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t{r(300, B64)}"],
        [f"bedrock-api-key-{r(40)}"],
    ),
    "aws-mws-auth-token": ([f"amzn.mws.{uuid()}"], ["amzn.mws.12345678"]),
    "gcp-api-key": (
        [f'key: "AIza{r(35, URL)}"'],
        [f"AIza{r(20, URL)}", "AIzaSyabcdefghijklmnopqrstuvwxyz1234567"],  # the alphabet: a placeholder
    ),
    "gcp-service-account-key": (
        [f'{{"type": "service_account", "private_key_id": "{r(40, H)}"}}'],
        ['{"private_key_id": "<your key id>"}'],
    ),
    "gcp-oauth-client-secret": ([f"GOCSPX-{r(28)}"], [f"GOCSPX-{r(10)}"]),
    "gcp-oauth-access-token": ([f"Bearer ya29.{r(120, URL)}"], ["ya29.xxxx"]),
    "firebase-cloud-messaging-server-key": (
        [f"AAAA{r(7, URL)}:APA91b{r(134, URL)}"],
        [f"AAAA{r(7, URL)}:APA91b{r(40, URL)}"],
    ),
    "azure-storage-account-key": (
        [f"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={r(86, B64)}==;EndpointSuffix=core.windows.net"],
        [f"AccountKey={r(40, B64)}=="],
    ),
    "azure-shared-access-key": (
        [f"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey={r(43, B64)}="],
        ["SharedAccessKey=<key>"],
    ),
    "azure-sas-token": (
        [
            f"https://acct.blob.core.windows.net/c?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2030-01-01T00:00:00Z&sig={r(43)}%3D"
        ],
        [f"https://acct.blob.core.windows.net/c?comp=list&sig={r(43)}%3D"],
    ),
    "azure-ad-client-secret": (
        [ctx("AZURE_CLIENT_SECRET", f"{r(3)}8Q~{r(34)}")],
        [ctx("AZURE_CLIENT_SECRET", f"{r(3)}8Q~short")],
    ),
    "azure-devops-pat": (
        [ctx("AZURE_DEVOPS_PAT", r(52, "abcdefghijklmnopqrstuvwxyz234567"))],
        [ctx("AZURE_DEVOPS_PAT", r(51, L))],
    ),
    "digitalocean-pat": ([f"dop_v1_{r(64, H)}"], [f"dop_v1_{r(63, H)}"]),
    "digitalocean-oauth-token": ([f"doo_v1_{r(64, H)}"], [f"doo_v1_{r(63, H)}"]),
    "digitalocean-refresh-token": ([f"dor_v1_{r(64, H)}"], [f"dor_v1_{r(63, H)}"]),
    "alibaba-access-key-id": ([f"LTAI{r(20)}"], [f"LTAI{r(8)}"]),
    "alibaba-secret-key": (
        [ctx("ALIBABA_CLOUD_ACCESS_KEY_SECRET", r(30))],
        [ctx("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "x" * 30)],
    ),
    "tencent-cloud-secret-id": ([f"AKID{r(32)}"], [f"AKID{r(16)}"]),
    "ibm-cloud-api-key": ([ctx("IBM_CLOUD_API_KEY", r(44, URL))], [ctx("IBM_CLOUD_API_KEY", r(30, URL))]),
    "oracle-cloud-auth-token": ([ctx("OCI_AUTH_TOKEN", r(20))], [ctx("OCI_AUTH_TOKEN", "x" * 24)]),
    "heroku-api-key": ([ctx("HEROKU_API_KEY", uuid())], [ctx("HEROKU_API_KEY", "not-a-uuid")]),
    "heroku-api-key-v2": ([f"HRKU-AA{r(58, URL)}"], [f"HRKU-AA{r(30, URL)}"]),
    "cloudflare-api-token": ([ctx("CLOUDFLARE_API_TOKEN", r(40, URL))], [ctx("CLOUDFLARE_API_TOKEN", "a" * 40)]),
    "cloudflare-global-api-key": (
        [ctx("CLOUDFLARE_GLOBAL_API_KEY", r(37, H))],
        [ctx("CLOUDFLARE_GLOBAL_API_KEY", r(36, H))],
    ),
    "cloudflare-origin-ca-key": ([f"v1.0-{r(24, H)}-{r(146, H)}"], [f"v1.0-{r(24, H)}-{r(100, H)}"]),
    "fastly-api-token": ([ctx("FASTLY_API_TOKEN", r(32, URL))], [ctx("FASTLY_API_TOKEN", "x" * 32)]),
    "linode-api-token": ([ctx("LINODE_TOKEN", r(64, H))], [ctx("LINODE_TOKEN", r(63, H))]),
    "vultr-api-key": ([ctx("VULTR_API_KEY", r(36, U))], [ctx("VULTR_API_KEY", r(36, string.ascii_lowercase))]),
    "scaleway-secret-key": ([ctx("SCW_SECRET_KEY", uuid())], [ctx("SCW_SECRET_KEY", "${SCW_SECRET}")]),
    "netlify-access-token": ([ctx("NETLIFY_AUTH_TOKEN", r(43, URL))], [ctx("NETLIFY_AUTH_TOKEN", r(30, URL))]),
    "vercel-access-token": ([ctx("VERCEL_TOKEN", r(24))], [ctx("VERCEL_TOKEN", r(23))]),
    "flyio-access-token": ([f"FLY_API_TOKEN=fo1_{r(43, URL)}"], [f"fo1_{r(20, URL)}"]),
    "render-api-key": ([f"rnd_{r(32)}"], [f"rnd_{r(31)}"]),
    "supabase-access-token": ([f"sbp_{r(40, H)}"], [f"sbp_{r(39, H)}"]),
    "planetscale-api-token": ([f"pscale_tkn_{r(43)}"], [f"pscale_tkn_{r(20)}"]),
    "planetscale-password": ([f"pscale_pw_{r(43)}"], [f"pscale_pw_{r(20)}"]),
    "planetscale-oauth-token": ([f"pscale_oauth_{r(43)}"], [f"pscale_oauth_{r(20)}"]),
    "databricks-api-token": ([f"DATABRICKS_TOKEN=dapi{r(32, H)}"], [f"dapi{r(31, H)}"]),
    "openshift-user-token": ([f"oc login --token=sha256~{r(43, URL)}"], [f"sha256~{r(20, URL)}"]),
    "yandex-iam-token": ([f"t1.{r(40)}.{r(86, URL)}"], [f"t1.{r(10)}.{r(40, URL)}"]),
    "yandex-api-key": ([f"AQVN{r(36, URL)}"], [f"AQVN{r(20, URL)}"]),
    "cloudinary-url": (
        [f"CLOUDINARY_URL=cloudinary://123456789012345:{r(27, URL)}@mycloud"],
        ["cloudinary://123456789012345:short@mycloud"],
    ),
    # ---------------------------------------------------------------- VCS and CI
    "github-pat": ([f"GITHUB_TOKEN=ghp_{r(36)}"], [f"ghp_{r(35)}", "ghp_" + "x" * 36]),
    "github-fine-grained-pat": ([f"github_pat_{r(22)}_{r(59)}"], [f"github_pat_{r(40)}"]),
    "github-oauth-token": ([f"gho_{r(36)}"], [f"gho_{r(30)}"]),
    "github-app-token": ([f"ghu_{r(36)}", f"ghs_{r(36)}"], [f"ghs_{r(30)}"]),
    "github-refresh-token": ([f"ghr_{r(76)}"], [f"ghr_{r(30)}"]),
    "gitlab-pat": ([f"token: glpat-{r(20, URL)}\n"], [f"glpat-{r(19)}"]),
    "gitlab-pat-routable": (
        [f"glpat-{r(40, URL)}.01.{r(9, L)}", f"glpat-{r(40, URL)}.01{r(7, L)}"],  # `.<2>.<7-9>` or `.<2><7>`
        [f"glpat-{r(40)}"],
    ),
    "gitlab-pipeline-trigger-token": ([f"glptt-{r(40, H)}"], [f"glptt-{r(39, H)}"]),
    "gitlab-runner-registration-token": ([f"GR1348941{r(20, URL)} "], [f"GR1348941{r(19)}"]),
    "gitlab-runner-authentication-token": (
        [f"glrt-{r(20, URL)} ", f"glrt-t1_{r(27, URL)}.01{r(7, L)} "],
        [f"glrt-{r(10)}"],
    ),
    "gitlab-deploy-token": ([f"gldt-{r(20, URL)} "], [f"gldt-{r(10)}"]),
    "gitlab-cicd-job-token": ([f"glcbt-64_{r(20, URL)} "], [f"glcbt-64_{r(10)}"]),
    "gitlab-feed-token": ([f"glft-{r(20, URL)} "], [f"glft-{r(10)}"]),
    "gitlab-incoming-mail-token": ([f"glimt-{r(25, URL)} "], [f"glimt-{r(10)}"]),
    "gitlab-kubernetes-agent-token": ([f"glagent-{r(50, URL)} "], [f"glagent-{r(20)}"]),
    "gitlab-oauth-app-secret": ([f"gloas-{r(64, URL)} "], [f"gloas-{r(30)}"]),
    "gitlab-scim-token": ([f"glsoat-{r(20, URL)} "], [f"glsoat-{r(10)}"]),
    "gitlab-feature-flag-client-token": ([f"glffct-{r(20, URL)} "], [f"glffct-{r(10)}"]),
    "gitlab-session-cookie": ([f"Cookie: _gitlab_session={r(32, L)}"], ["_gitlab_session=abc"]),
    "bitbucket-app-password": ([f"ATBB{r(32)}"], [f"ATBB{r(16)}"]),
    "bitbucket-client-id": ([ctx("BITBUCKET_CLIENT_ID", r(32))], [ctx("BITBUCKET_CLIENT_ID", "x" * 32)]),
    "bitbucket-client-secret": (
        [ctx("BITBUCKET_CLIENT_SECRET", r(64, URL))],
        [ctx("BITBUCKET_CLIENT_SECRET", r(40, URL))],
    ),
    "circleci-personal-token": ([f"CCIPAT_{r(22)}_{r(40, H)}"], [f"CCIPAT_{r(22)}_{r(20, H)}"]),
    "circleci-api-token": ([ctx("CIRCLE_TOKEN", r(40, H))], [ctx("CIRCLE_TOKEN", r(39, H))]),
    "travisci-access-token": ([ctx("TRAVIS_TOKEN", r(22))], [ctx("TRAVIS_TOKEN", r(21))]),
    "buildkite-api-token": ([f"bkua_{r(40, H)}"], [f"bkua_{r(39, H)}"]),
    "buildkite-agent-token": (
        [ctx("BUILDKITE_AGENT_TOKEN", r(50, L)), f"<buildkite-agent-token>{r(50, L)}</buildkite-agent-token>"],
        [ctx("BUILDKITE_AGENT_TOKEN", r(49, L))],
    ),
    "droneci-access-token": ([ctx("DRONE_TOKEN", r(32))], [ctx("DRONE_TOKEN", "x" * 32)]),
    "codecov-access-token": ([ctx("CODECOV_TOKEN", uuid())], [ctx("CODECOV_TOKEN", "${{ secrets.CODECOV_TOKEN }}")]),
    "sonar-api-token": ([f"sonar.token=sqp_{r(40, H)}"], [f"sqp_{r(39, H)}"]),
    "sonar-legacy-token": ([ctx("SONAR_TOKEN", r(40, H))], [ctx("SONAR_TOKEN", "x" * 40)]),
    "jenkins-api-token": ([ctx("JENKINS_API_TOKEN", "11" + r(32, H))], [ctx("JENKINS_API_TOKEN", "ab" + r(32, H))]),
    "harness-api-key": ([f"pat.{r(22, URL)}.{r(24, H)}.{r(20)}"], [f"pat.{r(22, URL)}.{r(10, H)}.{r(20)}"]),
    "octopus-deploy-api-key": ([f"API-{r(26, U)}"], [f"API-{r(20, U)}"]),
    "sourcegraph-access-token": (
        [f"sgp_{r(16, H)}_{r(40, H)}", f"sgp_local_{r(40, H)}", ctx("SOURCEGRAPH_TOKEN", r(40, H))],
        [f"sgp_{r(30, H)}", f"sourcegraph commit {r(40, H)}"],  # an unprefixed hex value needs an assignment
    ),
    "snyk-api-token": ([ctx("SNYK_TOKEN", uuid())], [ctx("SNYK_TOKEN", "not-set")]),
    "infracost-api-token": ([f"ico-{r(32)}"], [f"ico-{r(31)}"]),
    "doppler-api-token": ([f"dp.pt.{r(43)}", f"dp.st.dev.{r(43)}"], [f"dp.pt.{r(20)}"]),
    "pulumi-api-token": ([f"pul-{r(40, H)}"], [f"pul-{r(39, H)}"]),
    "terraform-cloud-api-token": ([f'token = "{r(14)}.atlasv1.{r(67, URL)}"'], [f"{r(14)}.atlasv1.{r(30)}"]),
    "terraform-cloud-password": (
        [f'administrator_login_password = "{r(16)}"', f'password_wo = "{r(16)}"'],
        ['administrator_login_password = "short"', f'password: "{r(16)}"'],  # YAML is not HCL
    ),
    "vault-service-token": ([f"VAULT_TOKEN=hvs.{r(95, URL)}"], [f"hvs.{r(40)}"]),
    "vault-legacy-service-token": (
        [f"VAULT_TOKEN=s.{r(24)} ", ctx("VAULT_TOKEN", f"s.{r(24)}")],
        ["s.AcceptanceTimeoutSeconds", "VAULT_TOKEN=s.short"],
    ),
    "vault-batch-token": ([f"hvb.{r(150, URL)} "], [f"hvb.{r(60)}"]),
    "prefect-api-token": ([f"pnu_{r(36)}"], [f"pnu_{r(35)}"]),
    "postman-api-token": ([f"PMAK-{r(24, H)}-{r(34, H)}"], [f"PMAK-{r(24, H)}-{r(20, H)}"]),
    # ---------------------------------------------------------------- package registries
    "npm-access-token": ([f"//registry.npmjs.org/:_authToken=npm_{r(36)}"], [f"npm_{r(35)}"]),
    "npmrc-auth-token": (
        [f"//npm.pkg.github.com/:_authToken={r(36)}"],
        ["//registry.npmjs.org/:_authToken=${NPM_TOKEN}"],
    ),
    "pypi-upload-token": ([f"password = pypi-AgEIcHlwaS5vcmc{r(70, URL)}"], [f"pypi-AgEIcHlwaS5vcmc{r(20, URL)}"]),
    "testpypi-upload-token": (
        [f"pypi-AgENdGVzdC5weXBpLm9yZw{r(70, URL)}"],
        [f"pypi-AgENdGVzdC5weXBpLm9yZw{r(20, URL)}"],
    ),
    "rubygems-api-token": ([f":rubygems_api_key: rubygems_{r(48, H)}"], [f"rubygems_{r(47, H)}"]),
    "nuget-api-key": ([f"dotnet nuget push -k oy2{r(43, L)}"], [f"oy2{r(20, L)}"]),
    "nuget-config-password": (
        [f'<add key="ClearTextPassword" value="{r(16)}" />', f'<add  key="Password"value="{r(16)}"/>'],
        ['<add key="ClearTextPassword" value="%FEED_PASSWORD%" />'],
    ),
    "docker-hub-access-token": ([f"dckr_pat_{r(27, URL)} "], [f"dckr_pat_{r(10)}"]),
    "docker-config-auth": (
        [f'{{"auths": {{"https://index.docker.io/v1/": {{"auth": "{b64("deploy:" + r(20))}"}}}}}}'],
        ['{"auths": {"ghcr.io": {"auth": "abc"}}}'],
    ),
    "jfrog-api-key": ([f"AKCp{r(69)}"], [f"AKCp{r(40)}"]),
    "jfrog-reference-token": ([f"cmVmd{r(59)}"], [f"cmVmd{r(30)}"]),
    "jfrog-identity-token": ([ctx("ARTIFACTORY_TOKEN", r(64))], [ctx("ARTIFACTORY_TOKEN", r(63))]),
    "packagist-token": ([f"packagist_out_{r(68, H)}"], [f"packagist_out_{r(20, H)}"]),
    "clojars-api-token": ([f"CLOJARS_{r(60, L)}"], [f"CLOJARS_{r(30, L)}"]),
    "crates-io-api-token": ([f"CARGO_REGISTRY_TOKEN=cio{r(32)}"], ["cio" + "a" * 32]),
    "hex-pm-api-key": ([ctx("HEX_API_KEY", r(32, H))], [ctx("HEX_API_KEY", r(31, H))]),
    # ---------------------------------------------------------------- payment
    "stripe-live-secret-key": ([f"sk_live_{r(99)}"], [f"sk_live_{r(10)}"]),
    "stripe-test-secret-key": ([f"sk_test_{r(24)}"], [f"sk_test_{r(10)}"]),
    "stripe-restricted-key": ([f"rk_live_{r(24)}", f"rk_prod_{r(99)}"], [f"rk_live_{r(10)}"]),
    "stripe-webhook-secret": ([f"whsec_{r(32)}"], [f"whsec_{r(10)}"]),
    "square-access-token": ([f"EAAA{r(60, URL)}", f"sq0atp-{r(22, URL)} "], ["EAAA" + "a" * 60]),
    "square-oauth-secret": ([f"sq0csp-{r(43, URL)} "], [f"sq0csp-{r(20)}"]),
    "braintree-access-token": (
        [f"access_token$production${r(16, L)}${r(32, H)}"],
        [f"access_token$production${r(16, L)}${r(10, H)}"],
    ),
    "paypal-client-secret": ([ctx("PAYPAL_CLIENT_SECRET", r(80, URL))], [ctx("PAYPAL_CLIENT_SECRET", r(40, URL))]),
    "adyen-api-key": ([ctx("ADYEN_API_KEY", "AQE" + r(100, B64))], [ctx("ADYEN_API_KEY", "AQE" + r(20))]),
    "razorpay-key-secret": ([ctx("RAZORPAY_KEY_SECRET", r(24))], [ctx("RAZORPAY_KEY_SECRET", r(23))]),
    "mollie-api-key": ([ctx("MOLLIE_API_KEY", "live_" + r(30))], [ctx("MOLLIE_API_KEY", "test_" + r(30))]),
    "gocardless-api-token": (
        [ctx("GOCARDLESS_ACCESS_TOKEN", "live_" + r(40, URL))],
        [ctx("GOCARDLESS_ACCESS_TOKEN", "sandbox_" + r(40))],
    ),
    "flutterwave-secret-key": (
        [f"FLWSECK_TEST-{r(32, 'abcdefgh0123456789')}-X"],
        [f"FLWSECK_TEST-{r(32, 'abcdefgh0123456789')}-Y"],
    ),
    "flutterwave-public-key": (
        [f"FLWPUBK_TEST-{r(32, 'abcdefgh0123456789')}-X"],
        [f"FLWPUBK_TEST-{r(20, 'abcdefgh0123456789')}-X"],
    ),
    "flutterwave-encryption-key": (
        [f"FLWSECK_TEST{r(12, 'abcdefgh0123456789')}", f"FLWSECK_TEST-{r(12, 'abcdefgh0123456789')}"],
        [f"FLWSECK_TEST{r(8, 'abcdefgh0123456789')}"],
    ),
    "shippo-api-token": ([f"shippo_live_{r(40, H)}"], [f"shippo_live_{r(39, H)}"]),
    "easypost-api-token": ([f"EZAK{r(54)}", f"EZTK{r(54)}"], [f"EZAK{r(30)}"]),
    "duffel-api-token": ([f"duffel_test_{r(43, URL)} "], [f"duffel_test_{r(20)}"]),
    "plaid-secret-key": ([ctx("PLAID_SECRET", r(30, L))], [ctx("PLAID_SECRET", r(29, L))]),
    "plaid-access-token": ([f"access-sandbox-{uuid()}"], [f"access-staging-{uuid()}"]),
    "coinbase-access-token": ([ctx("COINBASE_API_SECRET", r(64, URL))], [ctx("COINBASE_API_SECRET", r(40, URL))]),
    "lob-api-key": ([ctx("LOB_API_KEY", "live_" + r(35, H))], [ctx("LOB_API_KEY", "live_" + r(20, H))]),
    # ---------------------------------------------------------------- chat and webhooks
    "slack-bot-token": ([f"xoxb-{r(12, D)}-{r(13, D)}-{r(24)}"], [f"xoxb-{r(5, D)}-{r(5, D)}-{r(24)}"]),
    "slack-legacy-bot-token": ([f"xoxb-{r(11, D)}-{r(24)}"], ["xoxb-123-abc"]),
    "slack-user-token": ([f"xoxp-{r(12, D)}-{r(12, D)}-{r(13, D)}-{r(32, H)}"], [f"xoxp-{r(12, D)}-{r(32, H)}"]),
    "slack-app-token": ([f"xapp-1-A{r(10, U)}-{r(13, D)}-{r(64, H)}"], ["xapp-1-abc"]),
    "slack-config-access-token": ([f"xoxe.xoxp-1-{r(164, U)}"], [f"xoxe.xoxp-1-{r(100, U)}"]),
    "slack-config-refresh-token": ([f"xoxe-1-{r(146, U)}"], [f"xoxe-1-{r(100, U)}"]),
    "slack-legacy-token": ([f"xoxs-{r(10, D)}-{r(10, D)}-{r(10, D)}-{r(64, H)}"], ["xoxs-123-abc"]),
    "slack-legacy-workspace-token": ([f"xoxa-2-{r(40)}"], ["xoxa-abc"]),
    "slack-webhook-url": (
        [f"https://hooks.slack.com/services/T{r(8, U)}/B{r(8, U)}/{r(24)}"],
        ["https://hooks.slack.com/services/T000/B000/XXXX"],
    ),
    "discord-webhook-url": (
        [f"https://discord.com/api/webhooks/{r(18, D)}/{r(68, URL)}"],
        [f"https://discord.com/api/webhooks/{r(18, D)}/abc"],
    ),
    "discord-bot-token": (
        [ctx("DISCORD_BOT_TOKEN", f"M{r(23)}.{r(6)}.{r(27, URL)}")],
        [ctx("DISCORD_BOT_TOKEN", "changeme")],
    ),
    "discord-client-secret": ([ctx("DISCORD_CLIENT_SECRET", r(32, URL))], [ctx("DISCORD_CLIENT_SECRET", r(31, URL))]),
    "telegram-bot-token": (
        [ctx("TELEGRAM_BOT_TOKEN", f"{r(10, D)}:AA{r(33, URL)}")],
        [ctx("TELEGRAM_BOT_TOKEN", f"{r(10, D)}:AA{r(20)}")],
    ),
    "microsoft-teams-webhook": (
        [f"https://contoso.webhook.office.com/webhookb2/{uuid()}@{uuid()}/IncomingWebhook/{r(32, H)}/{uuid()}"],
        [f"https://contoso.webhook.office.com/webhookb2/{uuid()}/IncomingWebhook/"],
    ),
    "microsoft-power-automate-webhook": (
        [
            f"https://prod-12.westus.logic.azure.com:443/workflows/{r(32, H)}/triggers/manual/paths/invoke"
            f"?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={r(43, URL)}"
        ],
        [f"https://prod-12.westus.logic.azure.com:443/workflows/{r(32, H)}/triggers/manual/paths/invoke?api-version=1"],
    ),
    "google-chat-webhook": (
        [f"https://chat.googleapis.com/v1/spaces/AAAA{r(7)}/messages?key={r(39, URL)}&token={r(43, URL)}"],
        [f"https://chat.googleapis.com/v1/spaces/AAAA{r(7)}/messages?key={r(39, URL)}&token=abc"],
    ),
    "mattermost-access-token": ([ctx("MATTERMOST_TOKEN", r(26, L))], [ctx("MATTERMOST_TOKEN", r(25, L))]),
    "mattermost-webhook-url": (
        [f"https://chat.example.com/hooks/{r(26, L)}"],
        ["https://chat.example.com/hooks/" + "a" * 26],
    ),
    "gitter-access-token": ([ctx("GITTER_TOKEN", r(40, URL))], [ctx("GITTER_TOKEN", r(39, URL))]),
    "twitch-api-token": ([ctx("TWITCH_CLIENT_SECRET", r(30, L))], [ctx("TWITCH_CLIENT_SECRET", r(29, L))]),
    "twitter-bearer-token": (["A" * 22 + r(90)], ["A" * 22 + r(40)]),
    "twitter-api-secret": ([ctx("TWITTER_API_SECRET", r(50))], [ctx("TWITTER_API_SECRET", r(44))]),
    "twitter-access-token": (
        [ctx("TWITTER_ACCESS_TOKEN", f"{r(19, D)}-{r(30)}")],
        [ctx("TWITTER_ACCESS_TOKEN", r(19, D))],
    ),
    "facebook-access-token": ([f"EAAM{r(150)}"], [f"EAAM{r(50)}"]),
    "facebook-app-access-token": (
        [ctx("facebook_app_token", f"{r(15, D)}|{r(27, URL)}")],
        [ctx("facebook_app_id", r(15, D))],
    ),
    "facebook-app-secret": ([ctx("FACEBOOK_APP_SECRET", r(32, H))], [ctx("FACEBOOK_APP_SECRET", r(31, H))]),
    "linkedin-client-secret": (
        [ctx("LINKEDIN_CLIENT_SECRET", r(16)), ctx("LINKED_IN_SECRET", r(16))],
        [ctx("LINKEDIN_CLIENT_SECRET", "a" * 16)],
    ),
    # ---------------------------------------------------------------- SaaS
    "twilio-api-key": ([f"SK{r(32, H)}"], [f"SK{r(31, H)}"]),
    "twilio-auth-token": ([ctx("TWILIO_AUTH_TOKEN", r(32, H))], [ctx("TWILIO_AUTH_TOKEN", r(31, H))]),
    "sendgrid-api-token": ([f"SG.{r(22, URL)}.{r(43, URL)} "], [f"SG.{r(22, URL)}.{r(20)}"]),
    "mailgun-private-api-token": (
        [ctx("MAILGUN_API_KEY", "key-" + r(32, H))],
        [ctx("MAILGUN_API_KEY", "key-" + r(20, H))],
    ),
    "mailgun-pub-key": ([f"pubkey-{r(32, H)}"], [f"pubkey-{r(31, H)}"]),
    "mailgun-signing-key": (
        [
            ctx(
                "MAILGUN_SIGNING_KEY",
                f"{r(32, 'abcdefgh0123456789')}-{r(8, 'abcdefgh0123456789')}-{r(8, 'abcdefgh0123456789')}",
            )
        ],
        [ctx("MAILGUN_SIGNING_KEY", r(32, "abcdefgh0123456789"))],
    ),
    "mailchimp-api-key": ([f"{r(32, H)}-us14"], [f"{r(32, H)}-eu1"]),
    "mandrill-api-key": ([ctx("MANDRILL_API_KEY", "md-" + r(22, URL))], [ctx("MANDRILL_API_KEY", "md-" + r(10))]),
    "postmark-server-token": (
        [ctx("POSTMARK_SERVER_TOKEN", uuid())],
        [ctx("POSTMARK_SERVER_TOKEN", "POSTMARK_API_TEST")],
    ),
    "sendinblue-api-token": ([f"xkeysib-{r(64, H)}-{r(16)}"], [f"xkeysib-{r(64, H)}"]),
    "mailjet-api-secret": ([ctx("MAILJET_API_SECRET", r(32, H))], [ctx("MAILJET_API_SECRET", r(31, H))]),
    "datadog-api-key": (
        [ctx("DD_API_KEY", r(32, H)), f"Datadog API key: {r(32, H)}"],
        [ctx("DD_API_KEY", r(31, H)), f"datadog, {r(32, H)}"],
    ),
    "datadog-app-key": ([ctx("DD_APP_KEY", r(40, H))], [ctx("DD_APP_KEY", r(39, H))]),
    "new-relic-user-api-key": ([f"NRAK-{r(27, U)}"], [f"NRAK-{r(26, U)}"]),
    "new-relic-insert-key": ([f"NRII-{r(32, URL)} "], [f"NRII-{r(20)}"]),
    "new-relic-browser-api-token": ([f"NRJS-{r(19, H)}"], [f"NRJS-{r(18, H)}"]),
    "new-relic-license-key": ([f"license_key: {r(36, H)}NRAL"], [f"{r(36, H)}NRXX"]),
    "new-relic-user-api-id": (
        [ctx("NEW_RELIC_API_ID", r(64, U)), ctx("NEW_RELIC_API_ID", r(64, L))],
        [ctx("NEW_RELIC_API_ID", r(63, U))],
    ),
    "sentry-org-token": (
        [f"sntrys_eyJpYXQiO{r(100)}_{r(43, B64)}", f"sntrys_eyJpYXQiO{r(400, B64)}_{r(43, B64)}"],
        [f"sntrys_eyJpYXQiO{r(20)}"],
    ),
    "sentry-user-token": ([f"sntryu_{r(64, H)}"], [f"sntryu_{r(63, H)}"]),
    "sentry-access-token": ([ctx("SENTRY_AUTH_TOKEN", r(64, H))], [ctx("SENTRY_AUTH_TOKEN", r(63, H))]),
    "pagerduty-api-key": ([ctx("PAGERDUTY_API_KEY", r(20))], [ctx("PAGERDUTY_API_KEY", "x" * 20)]),
    "opsgenie-api-key": ([ctx("OPSGENIE_API_KEY", uuid())], [ctx("OPSGENIE_API_KEY", "<opsgenie-key>")]),
    "okta-access-token": ([ctx("OKTA_API_TOKEN", "00" + r(40, URL))], [ctx("OKTA_API_TOKEN", "ab" + r(40, URL))]),
    "auth0-client-secret": ([ctx("AUTH0_CLIENT_SECRET", r(64, URL))], [ctx("AUTH0_CLIENT_SECRET", r(40, URL))]),
    "atlassian-api-token": ([f"ATATT3{r(186, URL)} "], [f"ATATT3{r(100)}"]),
    "atlassian-legacy-api-token": (
        [ctx("JIRA_API_TOKEN", r(24)), f'os.getenv("CONFLUENCE_TOKEN", "{r(24)}")'],
        # gitleaks' own false positive: an unquoted comma separates arguments, not a key from its value
        [ctx("JIRA_API_TOKEN", r(23)), "getPagesInConfluenceSpace,searchConfluenceUsingCql"],
    ),
    "linear-api-key": ([f"lin_api_{r(40)}"], [f"lin_api_{r(39)}"]),
    "linear-client-secret": ([ctx("LINEAR_CLIENT_SECRET", r(32, H))], [ctx("LINEAR_CLIENT_SECRET", r(31, H))]),
    "notion-api-token": ([f"ntn_{r(11, D)}{r(35)}"], [f"ntn_{r(11, D)}{r(20)}"]),
    "notion-legacy-token": ([ctx("NOTION_TOKEN", "secret_" + r(43))], [ctx("NOTION_TOKEN", "secret_")]),
    "airtable-personal-access-token": ([f"pat{r(14)}.{r(64, H)}"], [f"pat{r(14)}.{r(30, H)}"]),
    "airtable-api-key": ([ctx("AIRTABLE_API_KEY", "key" + r(14))], [ctx("AIRTABLE_API_KEY", r(16))]),
    "shopify-access-token": ([f"shpat_{r(32, H)}"], [f"shpat_{r(31, H)}"]),
    "shopify-custom-access-token": ([f"shpca_{r(32, H)}"], [f"shpca_{r(31, H)}"]),
    "shopify-private-app-access-token": ([f"shppa_{r(32, H)}"], [f"shppa_{r(31, H)}"]),
    "shopify-shared-secret": ([f"shpss_{r(32, H)}"], [f"shpss_{r(31, H)}"]),
    "contentful-delivery-api-token": (
        [ctx("CONTENTFUL_DELIVERY_TOKEN", r(43, URL))],
        [ctx("CONTENTFUL_DELIVERY_TOKEN", r(30, URL))],
    ),
    "contentful-personal-access-token": ([f"CFPAT-{r(43, URL)} "], [f"CFPAT-{r(20)}"]),
    "algolia-api-key": ([ctx("ALGOLIA_ADMIN_KEY", r(32, L))], [ctx("ALGOLIA_ADMIN_KEY", r(31, L))]),
    "mapbox-secret-token": ([f"sk.eyJ1Ijoi{r(60, URL)}.{r(22, URL)} "], [f"sk.eyJ1Ijoi{r(60, URL)}.{r(10)}"]),
    "mapbox-api-token": (
        [ctx("MAPBOX_TOKEN", f"pk.{r(60, L)}.{r(22, L)}")],
        [ctx("MAPBOX_TOKEN", f"pk.{r(60, L)}.{r(10, L)}")],
    ),
    "dropbox-short-lived-api-token": ([f"sl.{r(140, URL)} "], [f"sl.{r(60)}"]),
    "dropbox-long-lived-api-token": (
        [ctx("DROPBOX_TOKEN", f"{r(11, L)}AAAAAAAAAA{r(43, URL)}")],
        [ctx("DROPBOX_TOKEN", f"{r(11, L)}BBBBBBBBBB{r(43, URL)}")],
    ),
    "dropbox-api-secret": ([ctx("DROPBOX_APP_SECRET", r(15, L))], [ctx("DROPBOX_APP_SECRET", r(14, L))]),
    "figma-personal-access-token": ([f"figd_{r(40, URL)} "], [f"figd_{r(20)}"]),
    "figma-legacy-token": ([ctx("FIGMA_TOKEN", f"{r(6, D)}-{uuid()}")], [ctx("FIGMA_TOKEN", uuid())]),
    "grafana-api-key": ([f"eyJrIjoi{r(80)}"], [f"eyJrIjoi{r(30)}"]),
    "grafana-cloud-api-token": ([f"glc_{r(60, B64)}"], [f"glc_{r(20)}"]),
    "grafana-service-account-token": ([f"glsa_{r(32)}_{r(8, H)}"], [f"glsa_{r(32)}_{r(4, H)}"]),
    "launchdarkly-access-token": (
        [ctx("LAUNCHDARKLY_SDK_KEY", "sdk-" + uuid())],
        [ctx("LAUNCHDARKLY_SDK_KEY", "sdk-1234")],
    ),
    "hubspot-api-key": ([ctx("HUBSPOT_API_KEY", uuid())], [ctx("HUBSPOT_API_KEY", "demo")]),
    "hubspot-private-app-token": ([f"pat-na1-{uuid()}"], [f"pat-xx1-{uuid()}"]),
    "intercom-api-key": ([ctx("INTERCOM_ACCESS_TOKEN", r(60, URL))], [ctx("INTERCOM_ACCESS_TOKEN", r(40, URL))]),
    "zendesk-secret-key": ([ctx("ZENDESK_API_TOKEN", r(40))], [ctx("ZENDESK_API_TOKEN", r(39))]),
    "asana-client-secret": ([ctx("ASANA_CLIENT_SECRET", r(32))], [ctx("ASANA_CLIENT_SECRET", r(31))]),
    "asana-personal-access-token": (
        [ctx("ASANA_PAT", f"1/{r(16, D)}/{r(16, D)}:{r(32, H)}")],
        [ctx("ASANA_PAT", f"1/{r(16, D)}:{r(32, H)}")],
    ),
    "typeform-api-token": ([f"tfp_{r(59, URL)} "], [f"tfp_{r(30)}"]),
    "dynatrace-api-token": ([f"dt0c01.{r(24, U)}.{r(64, U)}"], [f"dt0c01.{r(24, U)}.{r(10, U)}"]),
    "sumologic-access-id": ([ctx("SUMO_ACCESS_ID", "su" + r(12))], [ctx("SUMO_ACCESS_ID", "su" + r(5))]),
    "sumologic-access-token": ([ctx("SUMO_ACCESS_KEY", r(64))], [ctx("SUMO_ACCESS_KEY", r(63))]),
    "readme-api-token": ([f"rdme_{r(70, L)}"], [f"rdme_{r(69, L)}"]),
    "frameio-api-token": ([f"fio-u-{r(64, URL)} "], [f"fio-u-{r(30)}"]),
    "maxmind-license-key": ([f"{r(6)}_{r(29)}_mmk"], [f"{r(6)}_{r(20)}_mmk"]),
    "scalingo-api-token": ([f"tk-us-{r(48, URL)} "], [f"tk-us-{r(20)}"]),
    "settlemint-access-token": ([f"sm_pat_{r(16)}", f"sm_sat_{r(16)}"], [f"sm_pat_{r(15)}"]),
    "sidekiq-secret": (
        [
            f"BUNDLE_ENTERPRISE__CONTRIBSYS__COM={r(8, H)}:{r(8, H)}",
            ctx("BUNDLE_GEMS__CONTRIBSYS__COM", f"{r(8, H)}:{r(8, H)}"),
        ],
        [f"BUNDLE_ENTERPRISE__CONTRIBSYS__COM={r(8, H)}"],
    ),
    "sidekiq-sensitive-url": (
        [f"source 'https://{r(8, H)}:{r(8, H)}@gems.contribsys.com/'"],
        ["source 'https://gems.contribsys.com/'"],
    ),
    "defined-networking-api-token": ([f"dnkey-{r(26, URL)}-{r(52, URL)} "], [f"dnkey-{r(26)}-{r(10)}"]),
    "cisco-meraki-api-key": (
        [ctx("MERAKI_API_KEY", r(40, H)), ctx("ciscoMerakiApiKey", r(40, H))],  # camelCase after a word
        [ctx("MERAKI_API_KEY", r(39, H))],
    ),
    "onepassword-service-account-token": ([f"OP_SERVICE_ACCOUNT_TOKEN=ops_eyJ{r(300, B64)}"], ["ops_eyJ" + "x" * 300]),
    "onepassword-secret-key": (
        [f"A3-{r(6, U)}-{r(6, U)}-{r(5, U)}-{r(5, U)}-{r(5, U)}-{r(5, U)}"],
        ["A3-XXXXXX-XXXXXX-XXXXX-XXXXX-XXXXX-XXXXX"],
    ),
    "adobe-client-secret": ([f"ADOBE_CLIENT_SECRET=p8e-{r(32)}"], [f"p8e-{r(20)}"]),
    "clickhouse-cloud-api-secret-key": ([f"4b1d{r(38)}"], ["4b1d" + "a" * 38]),
    "confluent-secret-key": ([ctx("CONFLUENT_API_SECRET", r(64, B64))], [ctx("CONFLUENT_API_SECRET", r(40, B64))]),
    "rapidapi-access-token": ([ctx("RAPIDAPI_KEY", r(50, URL))], [ctx("RAPIDAPI_KEY", r(49, URL))]),
    "squarespace-access-token": ([ctx("SQUARESPACE_API_KEY", uuid())], [ctx("SQUARESPACE_API_KEY", "test")]),
    "sendbird-access-token": ([ctx("SENDBIRD_API_TOKEN", r(40, H))], [ctx("SENDBIRD_API_TOKEN", r(39, H))]),
    "messagebird-api-token": ([ctx("MESSAGEBIRD_ACCESS_KEY", r(25))], [ctx("MESSAGEBIRD_ACCESS_KEY", r(24))]),
    "kraken-access-token": ([ctx("KRAKEN_API_SECRET", r(88, B64))], [ctx("KRAKEN_API_SECRET", r(40, B64))]),
    "etsy-access-token": (
        [ctx("ETSY_API_KEY", r(24, L)), ctx("myEtsyKey", r(24, L))],
        [ctx("ETSY_API_KEY", r(23, L)), ctx("BETSY_NAME", r(24, L)), ctx("betsyName", r(24, L))],
    ),
    "age-secret-key": (
        [f"AGE-SECRET-KEY-1{r(58, 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L')}"],
        [f"AGE-SECRET-KEY-1{r(40, 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L')}"],
    ),
    # ---------------------------------------------------------------- AI platforms
    "openai-api-key": ([f"OPENAI_API_KEY=sk-proj-{r(40, URL)}T3BlbkFJ{r(40, URL)}"], [f"sk-proj-{r(40)}"]),
    "anthropic-api-key": ([f"sk-ant-api03-{r(93, URL)}AA"], [f"sk-ant-api03-{r(40)}"]),
    "anthropic-admin-api-key": ([f"sk-ant-admin01-{r(93, URL)}AA"], [f"sk-ant-admin01-{r(40)}"]),
    "huggingface-access-token": ([f"HF_TOKEN=hf_{r(34, LET)}"], [f"hf_{r(33, LET)}"]),
    "huggingface-organization-api-token": ([f"api_org_{r(34, LET)}"], [f"api_org_{r(33, LET)}"]),
    "cohere-api-token": ([ctx("COHERE_API_KEY", r(40))], [ctx("COHERE_API_KEY", r(39))]),
    "perplexity-api-key": ([f"pplx-{r(48)}"], [f"pplx-{r(47)}"]),
    "groq-api-key": ([f"gsk_{r(52)}"], [f"gsk_{r(51)}"]),
    "replicate-api-token": ([f"r8_{r(37)}"], [f"r8_{r(36)}"]),
    "xai-api-key": ([f"xai-{r(80)}"], [f"xai-{r(79)}"]),
    "langsmith-api-key": ([f"lsv2_pt_{r(32, H)}_{r(10, H)}"], [f"lsv2_pt_{r(32, H)}"]),
    "pinecone-api-key": ([f"pcsk_{r(6)}_{r(65)}"], [f"pcsk_{r(6)}_{r(20)}"]),
    "privateai-api-token": ([ctx("PRIVATE_AI_API_KEY", r(32, L))], [ctx("PRIVATE_AI_API_KEY", r(31, L))]),
    # ---------------------------------------------------------------- database URIs
    "postgres-uri-password": (
        [f"DATABASE_URL=postgres://app:{r(16)}@db.internal:5432/app", f"postgresql+psycopg://app:{r(16)}@db/app"],
        ["postgres://app:${DB_PASSWORD}@db:5432/app", "postgres://app:password@localhost/app"],
    ),
    "mysql-uri-password": ([f"mysql://root:{r(12)}@127.0.0.1:3306/db"], ["mysql://root:<password>@localhost/db"]),
    "mongodb-uri-password": (
        [f"mongodb+srv://admin:{r(16)}@cluster0.abcde.mongodb.net/test"],
        ["mongodb+srv://admin:<password>@cluster0.abcde.mongodb.net/test"],
    ),
    "redis-uri-password": ([f"REDIS_URL=redis://:{r(16)}@cache:6379/0"], ["redis://localhost:6379/0"]),
    "amqp-uri-password": ([f"amqp://svc:{r(16)}@rabbit:5672/"], ["amqp://guest:guest@localhost:5672/"]),
    "mssql-uri-password": ([f"sqlserver://sa:{r(16)}@db:1433"], ["sqlserver://sa:${SA_PASSWORD}@db:1433"]),
    "mssql-connection-string-password": (
        [f"Server=tcp:db.example.com,1433;Database=app;User ID=sa;Password={r(16)};"],
        ["Server=db;Database=app;User ID=sa;Password=${DB_PASSWORD};"],
    ),
    "jdbc-url-password": (
        [f"jdbc:postgresql://db:5432/app?user=app&password={r(16)}"],
        ["jdbc:postgresql://db:5432/app?user=app&password=${DB_PASS}"],
    ),
    "url-basic-auth-password": (
        [f"git clone https://deploy:{r(16)}@git.example.com/repo.git", f"https://ci:MyPassword{r(6, D)}@db.internal"],
        ["https://user:password@example.com/", "https://example.com/a:b@c", "https://admin:changeme@localhost"],
    ),
    # ---------------------------------------------------------------- private keys
    "private-key-rsa": ([pem("RSA PRIVATE KEY")], [pem_stub("RSA PRIVATE KEY")]),
    "private-key-ec": ([pem("EC PRIVATE KEY")], [pem_stub("EC PRIVATE KEY")]),
    "private-key-dsa": ([pem("DSA PRIVATE KEY")], [pem_stub("DSA PRIVATE KEY")]),
    "private-key-openssh": ([pem("OPENSSH PRIVATE KEY")], [pem_stub("OPENSSH PRIVATE KEY")]),
    "private-key-pkcs8": (
        [pem("PRIVATE KEY"), json.dumps({"private_key": pem("PRIVATE KEY")})],  # JSON: `\n` escapes, one line
        [pem_stub("PRIVATE KEY"), pem("PUBLIC KEY"), json.dumps({"private_key": pem_stub("PRIVATE KEY")})],
    ),
    "private-key-encrypted": ([pem("ENCRYPTED PRIVATE KEY")], [pem_stub("ENCRYPTED PRIVATE KEY")]),
    "private-key-pgp": ([pem("PGP PRIVATE KEY BLOCK", "Version: GnuPG v2\n\n")], [pem_stub("PGP PRIVATE KEY BLOCK")]),
    "private-key-generic": (
        [pem("SSH2 PRIVATE KEY"), pem("RSA PRIVATE KEY")],
        [pem_stub("PRIVATE KEY"), pem("CERTIFICATE")],
    ),
    "putty-private-key": (
        [
            "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: me\nPublic-Lines: 2\n"
            f"{r(64, B64)}\n{r(40, B64)}\nPrivate-Lines: 1\n{r(44, B64)}\n"
        ],
        ["PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n"],
    ),
    "pkcs12-base64": ([f"keystore: MIIKRgIBAzCC{r(300, B64)}"], [f"MIIKRgIBAjCC{r(300, B64)}"]),
    # ---------------------------------------------------------------- tokens
    "jwt": ([f"Authorization: Bearer {JWT}"], ["eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJIUzI1NiJ9.payload.signature"]),
    "jwt-base64": ([f"token: {b64(JWT)}"], [f"ZXlK{r(10, B64)}"]),
    # ---------------------------------------------------------------- Kubernetes
    "kubernetes-secret-data": (
        [f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: {b64(r(16))}\n"],
        [f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: db\ndata:\n  password: {b64(r(16))}\n"],
    ),
    "kubernetes-secret-data-before-kind": (
        [f"apiVersion: v1\ndata:\n  password: {b64(r(16))}\nkind: Secret\nmetadata:\n  name: db\n"],
        [f"apiVersion: v1\ndata:\n  password: {b64(r(16))}\nkind: ConfigMap\n"],
    ),
    "kubeconfig-user-token": (
        [f"users:\n- name: ci\n  user:\n    token: {r(40)}\n"],
        ["users:\n- name: ci\n  user:\n    token: changeme\n"],
    ),
    "kubeconfig-client-key": ([f"    client-key-data: {r(200, B64)}\n"], ["    client-key-data: REDACTED\n"]),
    # ---------------------------------------------------------------- generic
    "generic-api-key": (
        [ctx("API_KEY", r(32))],
        # detect-secrets baselines store SHA-1 hashes of secrets under "hashed_secret"
        [ctx("API_KEY", "your_api_key_here_please"), ctx("API_KEY", "x" * 32), f'"hashed_secret": "{r(40)}"'],
    ),
    "generic-hex-secret": (
        [ctx("HEX_SECRET", r(40, H)), f"SECRET_KEY: {r(64, H)}"],
        [
            f'"hashed_secret": "{r(40, H)}"',
            ctx("API_KEY_SHA256", r(64, H)),
            ctx("SECRET", "0123456789abcdef" * 2),
            ctx("SECRET", r(31, H)),
        ],
    ),
    "generic-config-password": (
        [f"password = {r(14)}", f"  db.password={r(12)}  # prod", f"DB_PASSWORD: {r(16)}"],
        [
            "password = ${DB_PASSWORD}",
            "password = %(db_pass)s",
            "password = changeme",
            f'password = "{r(14)}"',  # quoted: generic-password's
            "PASSWORD_RESET_URL=https://example.com/reset",
            "DB_PASSWORD_FILE=/run/secrets/db_password",
            "spring.datasource.password=file:/etc/app/pw",
        ],
    ),
    "generic-password": ([f'db_password = "{r(14)}"'], ['password = "changeme123"', "password = get_password()"]),
    "generic-bearer-token": ([f"Authorization: Bearer {r(40)}"], ["Authorization: Bearer ${TOKEN}"]),
    "curl-auth-user": (
        [
            f"curl -u admin:{r(14)} https://api.example.com",
            f'curl -u"deploy:{r(14)}" https://api.example.com',  # attached value
            f"curl --user \t\t  'deploy:{r(14)}' https://api.example.com",
            f'curl -u "admin:$%{r(12)}" https://api.example.com',  # `$` not starting a variable
        ],
        ["curl -u admin:$PASSWORD https://api.example.com", 'curl -u "admin:${PASS}"', "curl -u admin:$(cat pw)"],
    ),
    "curl-auth-header": (
        [
            f'curl -H "Authorization: Bearer {r(40)}" https://api.example.com',
            f'curl -H"X-Api-Key: {r(32)}" https://api.example.com',  # attached value
            f"curl --header='Authorization: Basic {b64('deploy:' + r(16))}' https://api.example.com",
        ],
        [
            'curl -H "Authorization: Bearer $TOKEN" https://api.example.com',
            # gitleaks' own false positive: Basic takes base64 of user:password, never a JWT
            f'curl -H "Authorization: Basic {JWT}" https://api.example.com',
        ],
    ),
}
