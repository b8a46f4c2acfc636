FROM node:20-alpine
COPY . /app
CMD ["node", "server.js"]
