import { writeFileSync } from 'node:fs';
import { encode } from 'fast-png';
import type { Framebuffer } from '../../shared/framebuffer.ts';

export function writeFramebufferPng(path: string, fb: Framebuffer): void {
  writeFileSync(path, encode({ width: fb.width, height: fb.height, data: fb.rgb(), channels: 3, depth: 8 }));
}
