// placeholder replaced below
export default async function setup(): Promise<void> {}
