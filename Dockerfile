# exkey image: operator, simulators and (later) agent behind one entrypoint.
# Node 24 runs exkey's TypeScript directly (type stripping), so there is no compile stage; the
# build stage only installs production dependencies.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev drops the toolchain (TypeScript, ESLint, vitest, the pinned `node` package);
# no production dependency needs an install script.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
COPY crds ./crds
# The `node` user (uid 1000) from the base image; nothing is written at runtime, so the root
# filesystem can be mounted read-only.
USER 1000:1000
EXPOSE 8080
ENTRYPOINT ["node", "src/cli.ts"]
CMD ["operator"]
