// The host's side of the embedding: hand the portal short-lived tokens from the host's own
// backend, refresh one when the portal says it was refused, and listen to the portal's events.
let current = null; // the promise of the token handed out
let refreshing = null; // a refresh under way, shared by every request that was refused

async function fetchToken() {
  const response = await fetch("/admin/session/token", { method: "POST" });
  if (!response.ok) throw new Error(`The admin session answered HTTP ${response.status}`);
  return (await response.json()).token;
}

function getToken({ refresh }) {
  if (refresh) {
    refreshing ??= fetchToken().finally(() => (refreshing = null));
    current = refreshing;
  }
  current ??= fetchToken();
  const token = current;
  // A failed request is not kept: the next call asks the session again.
  token.catch(() => {
    if (current === token) current = null;
  });
  return token;
}

const portal = document.querySelector("usage-portal");
portal.getToken = getToken;

const log = document.getElementById("host-events");
for (const name of ["usage-portal:navigate", "usage-portal:report-ready", "usage-portal:error"]) {
  portal.addEventListener(name, (event) => {
    const item = document.createElement("li");
    item.textContent = `${name} ${JSON.stringify(event.detail)}`;
    log.append(item);
  });
}

document.getElementById("host-close").addEventListener("click", () => portal.remove());
