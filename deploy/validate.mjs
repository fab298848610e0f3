// Validates every object of one rendered kustomization (multi-document YAML) against the Kubernetes schemas of
// kubernetes-models, then checks the platform's rules. Prints one line per problem; exits 1 if there is any.
// Usage: node validate.mjs NODE_MODULES_DIR RENDERED.yaml
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [modules, file] = process.argv.slice(2);
const load = (name) => import(pathToFileURL(path.join(modules, name)).href);
const { parseAllDocuments } = await import(pathToFileURL(path.join(modules, "yaml", "dist", "index.js")).href);

const problems = [];
const objects = [];
for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
  if (doc.errors.length > 0) {
    problems.push(`YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
    continue;
  }
  const object = doc.toJS();
  if (object) objects.push(object);
}

const nameOf = (o) => `${o.kind ?? "?"}/${o.metadata?.name ?? "?"}`;
for (const object of objects) {
  if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
    problems.push(`${nameOf(object)}: apiVersion and kind are required`);
    continue;
  }
  // apps/v1 -> kubernetes-models/apps/v1/Kind.js, v1 -> kubernetes-models/v1/Kind.js
  const model = path.join("kubernetes-models", object.apiVersion, `${object.kind}.js`);
  let Model;
  try {
    Model = (await load(model))[object.kind];
  } catch {
    problems.push(`${nameOf(object)}: no schema for ${object.apiVersion} ${object.kind}`);
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push(`${nameOf(object)}: ${error.message}`);
  }
}

// The platform's rules: what docs/deploy.md promises for every service.
const deployments = objects.filter((o) => o.kind === "Deployment");
const targets = (kind) => new Set(objects.filter((o) => o.kind === kind).map((o) => o.spec?.scaleTargetRef?.name ?? o.metadata?.name));
const budgets = objects.filter((o) => o.kind === "PodDisruptionBudget");
const autoscaled = targets("HorizontalPodAutoscaler");
for (const d of deployments) {
  const name = nameOf(d);
  if (!(d.spec?.replicas >= 2)) problems.push(`${name}: at least 2 replicas`);
  const labels = d.spec?.template?.metadata?.labels ?? {};
  if (!budgets.some((b) => Object.entries(b.spec?.selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v) && b.spec?.selector?.matchLabels)) {
    problems.push(`${name}: no PodDisruptionBudget selects its pods`);
  }
  if (!autoscaled.has(d.metadata?.name)) problems.push(`${name}: no HorizontalPodAutoscaler scales it`);
  for (const c of d.spec?.template?.spec?.containers ?? []) {
    if (c.readinessProbe?.httpGet?.path !== "/health") problems.push(`${name}/${c.name}: readiness probe must be GET /health`);
    if (c.livenessProbe?.httpGet?.path !== "/alive") problems.push(`${name}/${c.name}: liveness probe must be GET /alive`);
    for (const kind of ["requests", "limits"]) {
      if (!c.resources?.[kind]?.cpu || !c.resources?.[kind]?.memory) problems.push(`${name}/${c.name}: resources.${kind} needs cpu and memory`);
    }
  }
}
for (const hpa of objects.filter((o) => o.kind === "HorizontalPodAutoscaler")) {
  if (!(hpa.spec?.minReplicas >= 2)) problems.push(`${nameOf(hpa)}: minReplicas at least 2`);
}
const ingresses = objects.filter((o) => o.kind === "Ingress");
for (const ingress of ingresses) {
  for (const rule of ingress.spec?.rules ?? []) {
    for (const p of rule.http?.paths ?? []) {
      if (p.backend?.service?.name !== "gateway") problems.push(`${nameOf(ingress)}: only the gateway is public, not ${p.backend?.service?.name}`);
    }
  }
}
if (deployments.length === 0) problems.push("no Deployment rendered");

for (const problem of problems) console.log(`INVALID ${problem}`);
console.log(`${objects.length} objects, ${problems.length} problems`);
process.exit(problems.length === 0 ? 0 : 1);
