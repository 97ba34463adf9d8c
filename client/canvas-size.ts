// A wall's base map drawn at the screen's full resolution: MapLibre caps its canvas at 4096 px a
// side unless told otherwise, so an 8K wall got a blurry upscaled map under sharp icons.
import type { Language } from './i18n.ts';

export const canvasNotice: Record<Language, (size: [number, number]) => string> = {
  'zh-CN': ([w, h]) => `显卡最大只能绘制 ${w}×${h} 的底图，底图会略显模糊`,
  en: ([w, h]) => `The GPU draws the base map at ${w}×${h} at most: it looks soft`,
};

/**
 * The canvas the map needs to draw every device pixel of its box, within what this GPU draws
 * (its largest renderbuffer and viewport): MapLibre's own cap is 4096 px a side.
 */
export function fullResolutionCanvas(container: HTMLElement): { size: [number, number]; limited: boolean } {
  const wanted = [Math.ceil(container.clientWidth * devicePixelRatio), Math.ceil(container.clientHeight * devicePixelRatio)];
  const probe = document.createElement('canvas');
  const gl = probe.getContext('webgl2') ?? probe.getContext('webgl');
  const viewport = (gl?.getParameter(gl.MAX_VIEWPORT_DIMS) as Int32Array | null | undefined) ?? [4096, 4096];
  const limit = Math.min(gl?.getParameter(gl.MAX_RENDERBUFFER_SIZE) ?? 4096, gl?.getParameter(gl.MAX_TEXTURE_SIZE) ?? 4096);
  gl?.getExtension('WEBGL_lose_context')?.loseContext();
  const size: [number, number] = [Math.min(limit, viewport[0]!), Math.min(limit, viewport[1]!)];
  return { size, limited: wanted[0]! > size[0] || wanted[1]! > size[1] };
}
