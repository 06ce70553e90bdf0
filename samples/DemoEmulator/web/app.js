// The demo's web client: noVNC's RFB object on a page, configured from the URL the way noVNC's
// own vnc.html is (autoconnect, host, port, path, encrypt, password, shared, view_only, resize,
// quality, compression, show_dot, reconnect). With no parameters it connects back to the server
// that served the page, on /websockify.
'use strict';

(async function main() {
    const params = new URLSearchParams(location.search);
    const get = (name, fallback) => params.has(name) ? params.get(name) : fallback;
    const flag = (name, fallback) => {
        const value = get(name, null);
        return value === null ? fallback : !/^(0|false|no|off)$/i.test(value);
    };

    const status = document.getElementById('status');
    const connectButton = document.getElementById('connect');
    const disconnectButton = document.getElementById('disconnect');
    const screen = document.getElementById('screen');
    const setState = (state, text) => {
        document.body.dataset.state = state;
        status.textContent = text;
        connectButton.disabled = state === 'connecting' || state === 'connected';
        disconnectButton.disabled = state !== 'connected';
    };

    let RFB;
    try {
        RFB = (await window.loadCommonJs('novnc/lib/rfb.js')).default;
    } catch (e) {
        setState('failed', `Could not load noVNC: ${e.message}`);
        return;
    }

    const encrypt = flag('encrypt', location.protocol === 'https:');
    const host = get('host', location.hostname);
    const port = get('port', location.port);
    const path = get('path', 'websockify').replace(/^\//, '');
    const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    const url = `${encrypt ? 'wss' : 'ws'}://${bracketed}${port ? ':' + port : ''}/${path}`;
    let rfb = null;

    function connect() {
        setState('connecting', `Connecting to ${url}…`);
        const password = get('password', null);
        rfb = new RFB(screen, url, {
            shared: flag('shared', true),
            credentials: password === null ? undefined : { password },
        });
        window.rfb = rfb;
        rfb.viewOnly = flag('view_only', false);
        rfb.showDotCursor = flag('show_dot', false);
        const resize = get('resize', 'off');
        rfb.scaleViewport = resize === 'scale';
        rfb.resizeSession = resize === 'remote';
        rfb.qualityLevel = parseInt(get('quality', '6'), 10);
        rfb.compressionLevel = parseInt(get('compression', '2'), 10);
        rfb.addEventListener('connect', () => {
            setState('connected', `Connected to ${url}`);
            rfb.focus();
        });
        rfb.addEventListener('disconnect', e => {
            setState('disconnected', e.detail.clean ? 'Disconnected' : 'Connection lost');
            rfb = null;
            if (flag('reconnect', false)) {
                setTimeout(connect, parseInt(get('reconnect_delay', '5000'), 10));
            }
        });
        rfb.addEventListener('credentialsrequired', () => {
            const password = window.prompt('Password');
            if (password === null) {
                rfb.disconnect();
            } else {
                rfb.sendCredentials({ password });
            }
        });
        rfb.addEventListener('securityfailure', e => setState('failed', `Security failure: ${e.detail.reason || e.detail.status}`));
        rfb.addEventListener('desktopname', e => { document.title = e.detail.name; });
    }

    connectButton.addEventListener('click', connect);
    disconnectButton.addEventListener('click', () => rfb && rfb.disconnect());
    setState('ready', `Ready to connect to ${url}`);
    if (flag('autoconnect', false)) {
        connect();
    }
})();
