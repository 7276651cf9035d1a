import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderKustomization } from './kustomize';
import { at } from './manifests';

const deployment = (name: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  template:
    spec:
      containers:
        - name: ${name}
          image: registry.example.com/${name}:1.0.0
`;

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'kustomize-'));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  return root;
}

describe(renderKustomization.name, () => {
  it('follows resource files and directories, then applies the namespace, images and JSON 6902 patches', () => {
    const root = tree({
      'base/kustomization.yaml': 'resources: [app, config.yaml]\n',
      'base/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings }\ndata: { A: "1" }\n---\napiVersion: v1\nkind: Namespace\nmetadata: { name: apps }\n',
      'base/app/kustomization.yaml': 'resources: [deployment.yaml]\n',
      'base/app/deployment.yaml': deployment('api'),
      'prod/kustomization.yaml': [
        'namespace: apps',
        'resources: [../base]',
        'images: [{ name: registry.example.com/api, newName: registry.prod/api, newTag: "2.0.0" }]',
        'patches:',
        '  - target: { kind: ConfigMap, name: settings }',
        '    patch: |-',
        '      - { op: replace, path: /data/A, value: "2" }',
        '      - { op: add, path: /data/B, value: "3" }',
        '  - target: { kind: Deployment, name: api }',
        '    patch: |-',
        '      - { op: add, path: /spec/template/spec/containers/-, value: { name: sidecar, image: busybox } }',
        '',
      ].join('\n'),
    });

    const rendered = renderKustomization(path.join(root, 'prod'));

    expect(rendered.problems).toEqual([]);
    const byKind = Object.fromEntries(rendered.resources.map((resource) => [resource.kind, resource]));
    expect(at(byKind.ConfigMap.body, 'data')).toEqual({ A: '2', B: '3' });
    expect(at(byKind.Deployment.body, 'spec', 'template', 'spec', 'containers', 0, 'image')).toBe('registry.prod/api:2.0.0');
    expect(at(byKind.Deployment.body, 'spec', 'template', 'spec', 'containers', 1, 'name')).toBe('sidecar');
    expect(byKind.Deployment.namespace).toBe('apps');
    expect(byKind.Namespace.namespace).toBeUndefined();
  });

  it('reports missing resources, patches without a target, unused images and unsupported fields', () => {
    const root = tree({
      'kustomization.yaml': [
        'resources: [deployment.yaml, missing.yaml]',
        'commonLabels: { team: a }',
        'images: [{ name: registry.example.com/other, newTag: "2" }]',
        'patches:',
        '  - target: { kind: Deployment, name: nobody }',
        '    patch: "[{ op: remove, path: /spec }]"',
        '  - target: { kind: Deployment, name: api }',
        '    patch: "[{ op: replace, path: /spec/replicas, value: 3 }]"',
        '  - target: { kind: Deployment, name: api }',
        '    patch: "{ spec: { replicas: 3 } }"',
        '',
      ].join('\n'),
      'deployment.yaml': `${deployment('api')}---\n${deployment('api')}`,
    });

    const { problems } = renderKustomization(root);

    expect(problems).toEqual([
      expect.stringContaining('field "commonLabels" is not supported'),
      expect.stringContaining('resource missing.yaml does not exist'),
      expect.stringContaining('target Deployment/nobody matches no resource'),
      expect.stringContaining('path "/spec/replicas" does not exist'),
      expect.stringContaining('path "/spec/replicas" does not exist'),
      expect.stringContaining('only JSON 6902 patches'),
      expect.stringContaining('image registry.example.com/other is used by no container'),
      expect.stringContaining('Deployment/api is defined twice'),
    ]);
  });
});
