// The connect page: lists the user's connections and connects or disconnects them
// through the service's API. It holds the user's bearer token for the service, never a
// provider's token: the API does not hand those to browsers. It always says who is
// signed in, and a token that arrives in a link is used only once the person at the
// browser has said that it names them: a link someone else made would otherwise connect
// this person's accounts to theirs.
"use strict";

const api = "/api/v1/oauth";
const stored = "oauth_service_token";
let token = sessionStorage.getItem(stored);

/// The token a link brought (#token=...), taken out of the address bar; null without one.
function tokenFromLink() {
  const given = new URLSearchParams(location.hash.slice(1)).get("token");
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  return given;
}

async function call(method, path, body, using = token) {
  const options = { method, headers: { Authorization: "Bearer " + using } };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(api + path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((data.error && data.error.message) || "The service answered " + response.status);
  return data;
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function notice(text, isError) {
  const box = document.getElementById("notice");
  box.textContent = text;
  box.className = isError ? "error" : "";
  box.hidden = false;
}

function account(integration) {
  const identity = integration.identity || {};
  if (identity.workspace) return identity.workspace.name || identity.workspace.id;
  return identity.email || identity.name || integration.account_id;
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "never";
}

async function disconnect(integration, button) {
  button.disabled = true;
  try {
    await call("DELETE", "/integrations/" + encodeURIComponent(integration.id));
    notice("Disconnected " + integration.provider + " (" + account(integration) + ").", false);
  } catch (error) {
    notice(error.message, true);
  }
  await refresh();
}

async function connect(provider, scopes, button) {
  button.disabled = true;
  try {
    const started = await call("POST", "/" + encodeURIComponent(provider) + "/authorize", { scopes });
    location.assign(started.authorization_url);
  } catch (error) {
    button.disabled = false;
    notice(error.message, true);
  }
}

function renderIntegrations(integrations) {
  const table = document.getElementById("integrations");
  const body = table.querySelector("tbody");
  body.replaceChildren();
  for (const integration of integrations) {
    const button = element("button", { class: "secondary", "data-testid": "disconnect-" + integration.provider,
                                       text: "Disconnect" });
    button.addEventListener("click", () => disconnect(integration, button));
    const status = integration.status === "needs_reauth" ? "needs reauth" : integration.status;
    body.append(element("tr", { "data-testid": "integration", "data-provider": integration.provider },
      element("td", { text: integration.provider }),
      element("td", { "data-testid": "account", text: account(integration) }),
      element("td", { class: "scopes", text: integration.scopes.length ? integration.scopes.join(", ") : "—" }),
      element("td", { class: "status status-" + integration.status, text: status }),
      element("td", { text: when(integration.last_used_at) }),
      element("td", {}, button)));
  }
  table.hidden = integrations.length === 0;
  document.getElementById("no-accounts").hidden = integrations.length !== 0;
}

function renderProviders(providers) {
  const list = document.getElementById("provider-list");
  list.replaceChildren();
  for (const provider of providers.filter((p) => p.configured)) {
    const card = element("div", { class: "provider", "data-testid": "provider-" + provider.name },
                         element("h3", { text: provider.name }));
    const choices = [];
    const optional = provider.scopes.filter((scope) => !scope.required);
    if (optional.length) {
      const fieldset = element("fieldset", {}, element("legend", { text: "Access to ask for" }));
      for (const scope of optional) {
        const box = element("input", { type: "checkbox", value: scope.name });
        choices.push(box);
        fieldset.append(element("label", scope.dangerous ? { class: "dangerous" } : {}, box,
                                " " + scope.description + " (" + scope.name + ")"));
      }
      card.append(fieldset);
    }
    const button = element("button", { "data-testid": "connect-" + provider.name, text: "Connect " + provider.name });
    button.addEventListener("click", () =>
      connect(provider.name, choices.filter((box) => box.checked).map((box) => box.value), button));
    card.append(button);
    list.append(card);
  }
}

let lastProviders = [];

async function refresh() {
  const [providers, integrations] = await Promise.all([call("GET", "/providers"), call("GET", "/integrations")]);
  lastProviders = providers.providers;
  renderProviders(providers.providers);
  renderIntegrations(integrations.integrations);
  document.getElementById("accounts").hidden = false;
  document.getElementById("providers").hidden = false;
}

// What the service's callback may say went wrong, in this page's own words: the address
// bar is anyone's to write, so no text from it is shown, only a code from this list.
const outcomes = {
  ACCESS_DENIED: (p) => "Access to your " + p + " account was not granted.",
  OAUTH_FAILED: (p) => "Connecting your " + p + " account failed. Please try again.",
  UNAVAILABLE: (p) => p + " cannot be reached right now. Please try again.",
  RATE_LIMITED: (p) => p + " is busy. Please try again in a moment.",
};

function showOutcome(providers) {
  const params = new URLSearchParams(location.search);
  const provider = params.get("provider");
  const known = providers.some((p) => p.name === provider);
  const code = params.get("error") || "";
  if (params.has("connected") && known) {
    notice("Connected " + provider + ".", false);
  } else if (params.has("error")) {
    const suffix = known && code.startsWith(provider.toUpperCase() + "_") ? code.slice(provider.length + 1) : "";
    if (code === "OAUTH_STATE_INVALID")
      notice("This sign-in link has expired or was already used. Please start again.", true);
    else if (outcomes[suffix]) notice(outcomes[suffix](provider), true);
    else notice("Connecting an account failed. Please try again.", true);
  }
  if (params.has("connected") || params.has("error")) history.replaceState(null, "", location.pathname);
}

function showSignedIn(who) {
  const box = document.getElementById("signed-in");
  box.querySelector("[data-testid=who]").textContent = who.user_id + " (" + who.tenant_id + ")";
  box.hidden = false;
}

/// Asks the person at the browser whether the token a link brought names them.
function confirmLink(given, who) {
  const box = document.getElementById("confirm");
  box.querySelector("[data-testid=link-who]").textContent = who.user_id + " (" + who.tenant_id + ")";
  box.hidden = false;
  return new Promise((resolve) => {
    document.getElementById("confirm-yes").addEventListener("click", () => resolve(true), { once: true });
    document.getElementById("confirm-no").addEventListener("click", () => resolve(false), { once: true });
  }).then((yes) => {
    box.hidden = true;
    return yes;
  });
}

/// Takes the token a link brought, once the person says it names them; keeps the one in
/// use otherwise. True when the page is signed in afterwards.
async function adoptLink() {
  const given = tokenFromLink();
  if (given && given !== token) {
    const who = await call("GET", "/me", undefined, given);
    for (const id of ["accounts", "providers"]) document.getElementById(id).hidden = true;
    if (await confirmLink(given, who)) {
      token = given;
      sessionStorage.setItem(stored, token);
    }
  }
  document.getElementById("signed-out").hidden = Boolean(token);
  return Boolean(token);
}

async function show() {
  try {
    if (!(await adoptLink())) return;
    showSignedIn(await call("GET", "/me"));
    await refresh();
    showOutcome(lastProviders);
  } catch (error) {
    notice(error.message, true);
  }
}

document.addEventListener("DOMContentLoaded", show);
// A link followed on a page already open changes only its fragment.
window.addEventListener("hashchange", show);
