// The widget's channel on the public bot server: Direct Line subset, /widget.js, demo pages.
import type { Server } from 'restify';
import { mountDirectLine, type DirectLineChannel, type DirectLineOptions } from './api.js';
import { loadWidget, mountWidget } from './assets.js';

export type WebChannelOptions = DirectLineOptions;

export function mountWebChannel(server: Server, options: WebChannelOptions): DirectLineChannel {
  const channel = mountDirectLine(server, options);
  mountWidget(server, loadWidget(options.logError));
  return channel;
}

export { DEFAULT_LIMITS, DIRECT_LINE_PREFIX, type DirectLineLimits } from './api.js';
