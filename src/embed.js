// Usage Portal embedding entry point. scripts/post-build.sh copies this file to dist/embed.js
// with the content-hashed names of the build filled in, so a host page has one stable URL to
// load: serve embed.js itself with `Cache-Control: no-cache`, everything it names is immutable.
//
//   <script type="module" src="/portal/embed.js"></script>
//   <usage-portal api-base="https://api.example.com" realm="..." base-path="/admin/usage">
//   </usage-portal>
//
// or, from a module script: `const portal = await mount(element, options); portal.unmount();`
import init, { mount as mountWasm } from "./__PORTAL_JS__";

const wasmUrl = new URL("./__PORTAL_WASM__", import.meta.url);
const cssUrl = new URL("./__PORTAL_CSS__", import.meta.url);

let ready = null;
function load() {
  // The stylesheet is shared by every portal on the page and stays after unmount, like the
  // module itself; its rules all live under .up-root, so they touch nothing else.
  if (!document.querySelector("link[data-usage-portal]")) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = cssUrl.href;
    link.integrity = "__CSS_SRI__";
    link.crossOrigin = "anonymous";
    link.dataset.usagePortal = "";
    document.head.append(link);
  }
  // A failed load (the network, say) is not remembered: the next mount tries again.
  if (!ready) {
    ready = init({
      module_or_path: fetch(wasmUrl, { integrity: "__WASM_SRI__", mode: "cors", credentials: "omit" }),
    }).catch((error) => {
      ready = null;
      throw error;
    });
    // While the wasm downloads and compiles: a fresh browser's first date format loads its
    // locale data, which the first table's dates would otherwise wait for (as index.html's
    // boot script does).
    try {
      new Intl.DateTimeFormat(undefined, { timeZone: "UTC", dateStyle: "medium" }).format(0);
    } catch {}
  }
  return ready;
}

/**
 * Mounts the portal inside `element`.
 * options: { apiBase, realm, basePath?, getToken?: async ({ refresh }) => token }
 * Resolves to a handle whose `unmount()` removes the portal with its listeners and timers.
 */
export async function mount(element, options) {
  await load();
  return handleOf(mountWasm(element, options ?? {}));
}

/** The handle of a mounted portal: `unmount()` may be called more than once. */
function handleOf(mounted) {
  return {
    unmount() {
      mounted?.unmount();
      mounted?.free();
      mounted = null;
    },
  };
}

/**
 * <usage-portal api-base realm base-path>: mounts on connect, unmounts on disconnect, and
 * mounts again when an attribute changes. The host sets `element.getToken` (a function
 * `async ({ refresh }) => token`); it is looked up at every request, so it may be set late.
 */
class UsagePortalElement extends HTMLElement {
  static observedAttributes = ["api-base", "realm", "base-path"];
  #portal = null;
  #generation = 0;

  connectedCallback() {
    this.#start();
  }

  disconnectedCallback() {
    this.#stop();
  }

  attributeChangedCallback() {
    // Attributes seen while the element is first set up are read by connectedCallback.
    if (this.isConnected && this.#generation > 0) {
      this.#stop();
      this.#start();
    }
  }

  async #start() {
    const generation = ++this.#generation;
    const options = {
      apiBase: this.getAttribute("api-base") ?? "",
      realm: this.getAttribute("realm") ?? "",
      basePath: this.getAttribute("base-path") ?? "",
      getToken: (context) =>
        typeof this.getToken === "function"
          ? this.getToken(context)
          : Promise.reject(new Error("The host page has not set getToken on <usage-portal>.")),
    };
    // Until the portal draws itself, the element says what is happening, in words.
    this.#say("status", "Loading the usage portal…");
    try {
      await load();
      if (generation !== this.#generation) return;
      this.replaceChildren();
      this.#portal = handleOf(mountWasm(this, options));
    } catch (error) {
      if (generation !== this.#generation) return;
      const message = String(error?.message ?? error);
      this.#say("alert", `The usage portal could not be loaded. ${message}`);
      this.dispatchEvent(
        new CustomEvent("usage-portal:error", {
          bubbles: true,
          composed: true,
          detail: { status: 0, code: null, message, description: "", requestId: null, signedOut: false },
        }),
      );
    }
  }

  #say(role, text) {
    const p = document.createElement("p");
    p.setAttribute("role", role);
    p.textContent = text;
    this.replaceChildren(p);
  }

  #stop() {
    this.#generation++;
    this.#portal?.unmount();
    this.#portal = null;
    this.replaceChildren();
  }
}

if (!customElements.get("usage-portal")) {
  customElements.define("usage-portal", UsagePortalElement);
}
