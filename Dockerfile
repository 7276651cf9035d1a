# Multi-stage image for every service; pick one with SERVICE (e.g. adt-ingest).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json nest-cli.json ./
COPY scripts ./scripts
COPY apps ./apps
COPY libs ./libs
COPY tools ./tools
RUN node scripts/build.mjs && npm prune --omit=dev

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Read at boot by care-gap (CARE_GAP_RULES_FILE defaults to it); the build compiles only .ts files.
COPY --from=build /app/apps/care-gap/rules ./apps/care-gap/rules
COPY package.json ./
USER node
ARG SERVICE=adt-ingest
ENV SERVICE=${SERVICE}
CMD ["sh", "-c", "exec node --enable-source-maps --disable-warning=TimeoutNegativeWarning dist/apps/${SERVICE}/src/main.js"]
