// noVNC's npm package ships its library as CommonJS modules (lib/*.js use require and exports;
// one, util/browser.js, also awaits at its top level). This loader fetches a module and
// everything it requires (relative paths only), then runs each module as an async function
// after the modules it requires, so the page needs no bundler.
'use strict';

window.loadCommonJs = async function loadCommonJs(entry) {
    const AsyncFunction = (async function () {}).constructor;
    const sources = new Map();
    const dependencies = new Map();
    const modules = new Map();
    const resolve = (from, spec) => new URL(spec, new URL(from, location.href)).pathname;
    const requires = /require\("(\.[^"]+)"\)/g;

    async function fetchTree(path) {
        if (sources.has(path)) {
            return;
        }
        sources.set(path, null);
        const response = await fetch(path);
        if (!response.ok) {
            throw new Error(`${path}: ${response.status} ${response.statusText}`);
        }
        const text = await response.text();
        sources.set(path, text);
        const deps = [...text.matchAll(requires)].map(m => resolve(path, m[1]));
        dependencies.set(path, deps);
        await Promise.all(deps.map(fetchTree));
    }

    async function evaluate(path) {
        if (modules.has(path)) {
            return; // done, or in a cycle: the caller gets the exports made so far, as in CommonJS
        }
        const module = { exports: {} };
        modules.set(path, module);
        for (const dep of dependencies.get(path)) {
            await evaluate(dep);
        }
        const require = spec => {
            const target = modules.get(resolve(path, spec));
            if (!target) {
                throw new Error(`${path}: cannot require ${spec}`);
            }
            return target.exports;
        };
        const body = new AsyncFunction('module', 'exports', 'require', `${sources.get(path)}\n//# sourceURL=${path}`);
        await body(module, module.exports, require);
    }

    const root = resolve(location.pathname, entry);
    await fetchTree(root);
    await evaluate(root);
    return modules.get(root).exports;
};
