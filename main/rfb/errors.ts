// The error type lives in shared/ (the Node-side framebuffer raises it too); the engine uses it from here.
export * from '../../shared/rfb-error.ts';
