// The connect page: lists the user's connections and connects or disconnects them
// through the service's API. It holds the user's bearer token for the service, never a
// provider's token: the API does not hand those to browsers.
"use strict";

const api = "/api/v1/oauth";

function bearer() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const given = fragment.get("token");
  if (given) {
    sessionStorage.setItem("oauth_service_token", given);
    history.replaceState(null, "", location.pathname + location.search);
  }
  return sessionStorage.getItem("oauth_service_token");
}

async function call(method, path, body) {
  const options = { method, headers: { Authorization: "Bearer " + bearer() } };
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

async function refresh() {
  const [providers, integrations] = await Promise.all([call("GET", "/providers"), call("GET", "/integrations")]);
  renderProviders(providers.providers);
  renderIntegrations(integrations.integrations);
  document.getElementById("accounts").hidden = false;
  document.getElementById("providers").hidden = false;
}

function showOutcome() {
  const params = new URLSearchParams(location.search);
  if (params.has("connected")) notice("Connected " + params.get("provider") + ".", false);
  else if (params.has("error")) notice(params.get("message") || params.get("error"), true);
  if (params.has("connected") || params.has("error")) history.replaceState(null, "", location.pathname);
}

document.addEventListener("DOMContentLoaded", async () => {
  if (!bearer()) {
    document.getElementById("signed-out").hidden = false;
    return;
  }
  showOutcome();
  try {
    await refresh();
  } catch (error) {
    notice(error.message, true);
  }
});
